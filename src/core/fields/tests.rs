//! The fields' forms, their reads and their JSON.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use serde_json::Value;

#[test]
fn fields_keep_insertion_order_replace_in_place_and_round_trip_as_an_object() {
    let mut f = Fields::new();
    f.insert("b", Value::from(1));
    f.insert("a", Value::from("x"));
    assert_eq!(f.insert("b", Value::from(2)), Some(Value::from(1)));
    assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"b":2,"a":"x"}"#);
    let back: Fields = serde_json::from_str(r#"{"b":2,"a":"x"}"#).unwrap();
    assert_eq!(back["b"], 2);
    assert_eq!(back["missing"], Value::Null);
    assert_eq!(back.len(), 2);
}

#[test]
fn values_a_value_would_change_are_kept_as_text_and_repeats_refused() {
    let text = r#"{"n":1,"big":18446744073709551616,"deep":[{"x":-9223372036854775809}]}"#;
    let f: Fields = serde_json::from_str(text).unwrap();
    assert_eq!(f["n"], 1);
    assert_eq!(f.get_raw("big").unwrap().get(), "18446744073709551616");
    assert_eq!(serde_json::to_string(&f).unwrap(), text);
    let e = serde_json::from_str::<Fields>(r#"{"a":1,"a":2}"#).unwrap_err();
    assert!(e.to_string().contains("duplicate field"), "{e}");
    let many: String = (0..40).map(|i| format!("\"k{i}\":{i},")).collect();
    let e = serde_json::from_str::<Fields>(&format!("{{{many}\"k3\":0}}")).unwrap_err();
    assert!(e.to_string().contains("duplicate field `k3`"), "{e}");
}

#[test]
fn fields_put_by_code_read_as_the_same_values_an_insert_makes() {
    let mut put = Fields::new();
    put.put("n", 3u32);
    put.put("neg", -5i64);
    put.put("f", 1.5);
    put.put("nan", f64::NAN);
    put.put("s", "text");
    put.put("yes", true);
    put.put("obj", serde_json::json!({"a": [1, {"b": null}]}));
    let mut inserted = Fields::new();
    for (k, v) in [
        ("n", Value::from(3u32)),
        ("neg", Value::from(-5i64)),
        ("f", Value::from(1.5)),
        ("nan", Value::from(f64::NAN)),
        ("s", Value::from("text")),
        ("yes", Value::from(true)),
        ("obj", serde_json::json!({"a": [1, {"b": null}]})),
    ] {
        inserted.insert(k, v);
    }
    assert!(put.encoded().is_some() && inserted.encoded().is_none());
    assert_eq!(put, inserted);
    assert_eq!(
        serde_json::to_string(&put).unwrap(),
        serde_json::to_string(&inserted).unwrap()
    );
    assert_eq!(put["nan"], Value::Null);
    // Replacing keeps the place; a later insert or remove sees every field.
    put.put("n", "three");
    assert_eq!(put.iter().next(), Some(("n", &Value::from("three"))));
    assert_eq!(put.remove("s"), Some(Value::from("text")));
    put.insert("late", Value::from(1));
    assert_eq!(put.len(), 7);
    assert_eq!(put.get("late"), Some(&Value::from(1)));
}
