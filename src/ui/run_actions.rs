//! # Running and replaying: the inspector's run controls
//!
//! The actions behind Run, Play, Pause, Stop, Step, the scrubber and the mode buttons, as
//! methods of [`Ui`]: each drives the live [`crate::replay::Replay`] and publishes what it
//! recorded. Kept apart from [`super::state`], which holds the signals and what any trace
//! (live or imported) needs.

use std::collections::HashSet;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::state::{now_ms, Source, Ui};
use crate::core::EmitMode;
use crate::measure::performance_clock::PerformanceClock;
use crate::replay::pacing::Pace;
use crate::replay::{Replay, TURN_BUDGET_NS};

/// Wall time one slice of [`Ui::bring_view_to_end`] aims at: with the frame's own work it
/// stays well under 100 ms, and the view comes in a few dozen slices at the history's cap.
const VIEW_SLICE_MS: f64 = 12.0;
/// Events of the first slice, before any was timed (a few ms on a slow machine).
const FIRST_VIEW_SLICE: usize = 2_048;

/// The next slice's events: the last one scaled to [`VIEW_SLICE_MS`], at most doubling or
/// halving at once (a slice's cost per event varies with what it shows).
fn next_slice(last: usize, took_ms: f64) -> usize {
    let scaled = last as f64 * VIEW_SLICE_MS / took_ms.max(0.1);
    (scaled as usize).clamp((last / 2).max(64), last.saturating_mul(2))
}

impl Ui {
    /// Starts a fresh live replay of the current settings (cursor at 0).
    pub fn new_replay(&self) {
        let config = self.config.get_untracked();
        let history = config.history;
        let replay = Replay::new(
            config,
            std::rc::Rc::new(PerformanceClock::new().expect("this page has no window.performance")),
            history,
        );
        self.replay.set_value(Some(replay));
        self.source.set(Source::Live);
        self.collapsed.set(HashSet::new());
        self.selected.set(None);
        self.axis.set(None);
        self.error.set(None);
        self.refresh_from_replay();
    }

    /// Runs the whole configured pipeline now, in turns that hand the browser its thread
    /// back (see [`Replay::work`]) so the page paints and answers (Stop) whatever the
    /// settings, and shows the result.
    pub fn run_all(self) {
        self.playing.set(false);
        self.new_replay();
        leptos::task::spawn_local(async move {
            loop {
                let more = self.replay.try_update_value(|r| {
                    r.as_mut().map(|r| {
                        let more = r.work(usize::MAX, TURN_BUDGET_NS);
                        (more, r.recorded(), r.config().operations)
                    })
                });
                match more.flatten() {
                    Some((true, events, total)) => {
                        self.busy.set(Some(format!(
                            "running {total} operations · {events} events so far"
                        )));
                        TimeoutFuture::new(0).await;
                    }
                    _ => break,
                }
            }
            // Stopped: Stop has shown what was recorded already. Showing it again here cost
            // the frame after Stop 367 ms at 226 k events: the search memo still held the
            // shown inspection, so bringing it up to date in place cloned it whole first.
            if self
                .replay
                .with_value(|r| r.as_ref().is_none_or(Replay::stopped))
            {
                return;
            }
            self.replay.update_value(|r| {
                if let Some(r) = r.as_mut() {
                    r.seek(usize::MAX);
                }
            });
            self.busy.set(None);
            self.axis.set(None);
            self.timed_refresh(|ui| ui.refresh_from_replay()).await;
        });
    }

    /// Runs `rebuild`, waits for Leptos to update the DOM, and records how long it all took
    /// (shown in the summary bar: the "first render" figure of a big trace).
    pub async fn timed_refresh(self, rebuild: impl FnOnce(&Ui)) {
        let t0 = now_ms();
        rebuild(&self);
        leptos::task::tick().await;
        self.render_ms.set(Some(now_ms() - t0));
    }

    /// Plays the replay from the cursor at the chosen speed, running live slices as needed.
    pub fn play(self) {
        let needs_new = self.replay.with_value(|r| match r {
            None => true,
            Some(r) => r.finished() && r.cursor() >= r.recorded(),
        }) || self.source.get_untracked() != Source::Live;
        if needs_new {
            self.new_replay();
        }
        if self.playing.get_untracked() {
            return;
        }
        self.playing.set(true);
        leptos::task::spawn_local(async move {
            while self.playing.get_untracked() {
                let pace = Pace::at(self.speed.get_untracked());
                let going = self.replay.try_update_value(|r| {
                    r.as_mut().map(|r| r.advance(pace.events, TURN_BUDGET_NS))
                });
                self.refresh_from_replay();
                if going.flatten() != Some(true) {
                    self.playing.set(false);
                    break;
                }
                TimeoutFuture::new(pace.wait_ms).await;
            }
        });
    }

    pub fn pause(&self) {
        self.playing.set(false);
    }

    /// Ends the live run (Run, Play or a waiting Step) now, keeping and showing what the bus
    /// recorded; operations cut short show as unfinished. The click only marks the run
    /// stopped: the view is brought to the end in slices between frames (see
    /// [`Ui::bring_view_to_end`]), so the next frame comes at once however much was recorded.
    pub fn stop(&self) {
        self.playing.set(false);
        let stopped = self.replay.try_update_value(|r| {
            r.as_mut().is_some_and(|r| {
                let running = !r.finished();
                if running {
                    r.stop();
                }
                running
            })
        });
        if stopped == Some(true) {
            self.axis.set(None);
            self.busy.set(Some("stopping … 0 %".into()));
            leptos::task::spawn_local(self.bring_view_to_end());
        }
    }

    /// Brings a stopped run's view from where it was to the end of what was recorded, a
    /// slice a turn sized to take about [`VIEW_SLICE_MS`], showing how far it got; then
    /// publishes it once. The result is what one step brings (`Replay::bring_view`). If the
    /// replay was replaced meanwhile (Run again), leaves the new one alone.
    async fn bring_view_to_end(self) {
        let mut slice = FIRST_VIEW_SLICE;
        loop {
            let t0 = now_ms();
            let step = self.replay.try_update_value(|r| {
                r.as_mut()
                    .filter(|r| r.stopped())
                    .map(|r| (r.bring_view(slice), r.view_len(), r.cursor()))
            });
            let Some((done, shown, cursor)) = step.flatten() else {
                return;
            };
            if done {
                break;
            }
            slice = next_slice(slice, now_ms() - t0);
            let percent = shown * 100 / cursor.max(1);
            self.busy.set(Some(format!("stopping … {percent} %")));
            TimeoutFuture::new(0).await;
        }
        self.busy.set(None);
        self.refresh_from_replay();
    }

    pub fn toggle_play(self) {
        if self.playing.get_untracked() {
            self.pause();
        } else {
            self.play();
        }
    }

    /// One event forward. If the next event takes longer than one turn to come (heavy
    /// settings), keeps running in turns, the page responsive, until it does or Stop.
    pub fn step(self) {
        self.playing.set(false);
        if self.replay.with_value(|r| r.is_none()) || self.source.get_untracked() != Source::Live {
            self.new_replay();
        }
        // (moved, more to come)
        let advance = move || {
            self.replay
                .try_update_value(|r| {
                    r.as_mut().map(|r| {
                        let before = r.cursor();
                        let more = r.advance(1, TURN_BUDGET_NS);
                        (r.cursor() > before, more)
                    })
                })
                .flatten()
        };
        if advance() != Some((false, true)) {
            self.refresh_from_replay();
            return;
        }
        self.busy.set(Some("running to the next event".into()));
        leptos::task::spawn_local(async move {
            loop {
                TimeoutFuture::new(0).await;
                if advance() != Some((false, true)) {
                    break;
                }
            }
            self.busy.set(None);
            self.refresh_from_replay();
        });
    }

    /// Moves the replay cursor (the scrubber).
    pub fn seek(&self, to: usize) {
        self.playing.set(false);
        self.replay.update_value(|r| {
            if let Some(r) = r.as_mut() {
                r.seek(to);
            }
        });
        self.refresh_from_replay();
    }

    /// Switches the emit mode, on the live bus too if a replay is running.
    pub fn set_mode(&self, mode: EmitMode) {
        self.config.update(|c| c.mode = mode);
        self.replay.update_value(|r| {
            if let Some(r) = r.as_mut() {
                r.set_mode(mode);
            }
        });
    }
}
