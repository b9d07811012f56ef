//! `--mode` / `--modes` values: one per [`EmitMode::ALL`], so a new mode is accepted, listed in
//! `--help` and named in the error for a wrong value without editing the command line.

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::core::EmitMode;

/// Parses an emit mode with [`EmitMode::parse`] (so its aliases, like `ff`, work) and lists
/// [`EmitMode::ALL`] as the possible values.
#[derive(Clone, Copy, Debug, Default)]
pub struct ModeParser;

impl TypedValueParser for ModeParser {
    type Value = EmitMode;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<EmitMode, clap::Error> {
        let text = value.to_string_lossy();
        EmitMode::parse(&text).ok_or_else(|| {
            let mut err = clap::Error::new(ErrorKind::InvalidValue).with_cmd(cmd);
            if let Some(arg) = arg {
                err.insert(
                    ContextKind::InvalidArg,
                    ContextValue::String(arg.to_string()),
                );
            }
            err.insert(
                ContextKind::InvalidValue,
                ContextValue::String(text.into_owned()),
            );
            err.insert(
                ContextKind::ValidValue,
                ContextValue::Strings(names().collect()),
            );
            err
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(EmitMode::ALL.into_iter().map(|m| {
            let help = match m.sample_ratio() {
                Some(r) => format!(
                    "{}; a ratio after the colon, 0 to 1 or a percentage (default {r})",
                    m.label()
                ),
                None => m.label(),
            };
            PossibleValue::new(leak(name(m))).help(leak(help))
        })))
    }
}

/// A mode's command-line name: its family, and for a mode with a parameter the form that
/// takes it (`sampled[:RATIO]`).
fn name(m: EmitMode) -> String {
    match m.sample_ratio() {
        Some(_) => format!("{}[:RATIO]", m.as_str()),
        None => m.as_str().to_owned(),
    }
}

/// clap's help wants `'static` text; the few mode names are made once per `--help`.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The modes' command-line names, in [`EmitMode::ALL`] order.
pub fn names() -> impl Iterator<Item = String> {
    EmitMode::ALL.into_iter().map(name)
}
