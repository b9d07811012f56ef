//! # Play's pace: how many events per tick, and how long between ticks
//!
//! Play reveals the replay at a speed the user picks, in events per second. The page cannot
//! wake up for every event at 5 000 events per second, nor should it reveal a batch and then
//! sit idle for a second at 5: so play ticks at most every [`TICK_MS`] and reveals per tick
//! the events due in that time, and below one event per tick it reveals one event and waits
//! as long as that event's share of a second. "max" (speed 0) reveals [`MAX_PER_TICK`]
//! events a tick: enough to move fast, few enough that each tick's rebuild stays short.
//! The events due per tick are rounded down, so a speed between two multiples of 20 plays a
//! little slower than it says (25 ev/s plays at 20), never faster.

/// Replay speeds offered, in events per second (0: as fast as possible).
pub const SPEEDS: [u32; 6] = [5, 25, 100, 500, 5_000, 0];

/// The shortest wait between two ticks of play, in ms.
pub const TICK_MS: u32 = 50;

/// Events revealed per tick at speed "max".
pub const MAX_PER_TICK: usize = 2_000;

/// One tick of play at a given speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    /// Events to reveal this tick (at least one).
    pub events: usize,
    /// Time to wait before the next tick, in ms.
    pub wait_ms: u32,
}

impl Pace {
    /// The pace of `speed` events per second (0: as fast as possible).
    pub fn at(speed: u32) -> Pace {
        if speed == 0 {
            return Pace {
                events: MAX_PER_TICK,
                wait_ms: TICK_MS,
            };
        }
        let due_per_tick = speed as usize * TICK_MS as usize / 1000;
        Pace {
            events: due_per_tick.max(1),
            wait_ms: if due_per_tick >= 1 {
                TICK_MS
            } else {
                1000 / speed
            },
        }
    }
}

/// A speed as the speed menu names it.
pub fn speed_label(speed: u32) -> String {
    if speed == 0 {
        "max".to_owned()
    } else {
        format!("{speed} ev/s")
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn slow_speeds_reveal_one_event_and_wait_its_share_of_a_second() {
        assert_eq!(
            Pace::at(5),
            Pace {
                events: 1,
                wait_ms: 200
            }
        );
        assert_eq!(
            Pace::at(1),
            Pace {
                events: 1,
                wait_ms: 1000
            }
        );
    }

    #[test]
    fn fast_speeds_tick_every_fifty_ms_and_reveal_what_is_due_in_that_time() {
        assert_eq!(
            Pace::at(20),
            Pace {
                events: 1,
                wait_ms: TICK_MS
            }
        );
        assert_eq!(
            Pace::at(100),
            Pace {
                events: 5,
                wait_ms: TICK_MS
            }
        );
        assert_eq!(Pace::at(5_000).events, 250);
    }

    #[test]
    fn max_speed_reveals_a_bounded_batch_every_tick() {
        assert_eq!(
            Pace::at(0),
            Pace {
                events: MAX_PER_TICK,
                wait_ms: TICK_MS
            }
        );
    }

    #[test]
    fn no_offered_speed_plays_faster_than_it_says_nor_under_four_fifths_of_it() {
        for speed in SPEEDS.into_iter().filter(|&s| s > 0) {
            let pace = Pace::at(speed);
            let per_second = pace.events as f64 * 1000.0 / pace.wait_ms as f64;
            assert!(
                per_second <= speed as f64 && per_second >= speed as f64 * 0.8,
                "{speed} ev/s plays at {per_second}"
            );
        }
        assert_eq!(speed_label(0), "max");
        assert_eq!(speed_label(25), "25 ev/s");
    }
}
