//! Progress on a terminal (indicatif): bytes sent with rate and time left,
//! waits with what is awaited. Nothing is drawn when stderr is not a
//! terminal (CI logs get plain lines instead, from the callers).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether progress is drawn: stderr is a terminal that is not `dumb`.
pub fn on_terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// The bar or spinner currently drawn, shared with callbacks that run
/// inside the index client (bytes sent, retries).
#[derive(Clone, Debug, Default)]
pub struct Live {
    bar: Arc<Mutex<Option<ProgressBar>>>,
    enabled: bool,
}

impl Live {
    /// Progress drawn when `enabled` (see [`on_terminal`]).
    pub fn new(enabled: bool) -> Live {
        Live {
            bar: Arc::default(),
            enabled,
        }
    }

    /// Whether anything is drawn.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// A byte bar for `total` bytes: `label [=====>   ] 120 MiB/200 MiB 95 MiB/s 1s`.
    pub fn bytes(&self, label: &str, total: u64) {
        if !self.enabled {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "  {msg} [{bar:30.cyan/blue}] {bytes}/{total_bytes} {bytes_per_sec} {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        self.replace(Some(bar));
    }

    /// A spinner with a message and the time spent.
    pub fn spinner(&self, message: &str) {
        if !self.enabled {
            return;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(Self::spinner_style());
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        self.replace(Some(bar));
    }

    /// The bar drawn now turns into a spinner saying `message` (the work
    /// that follows); the same line is redrawn, no second one appears.
    /// Without a bar, a new spinner.
    pub fn then_spinner(&self, message: &str) {
        if !self.enabled {
            return;
        }
        {
            let guard = self.lock();
            if let Some(bar) = guard.as_ref() {
                bar.set_style(Self::spinner_style());
                bar.set_message(message.to_string());
                bar.reset_elapsed();
                bar.enable_steady_tick(Duration::from_millis(120));
                return;
            }
        }
        self.spinner(message);
    }

    fn spinner_style() -> ProgressStyle {
        ProgressStyle::with_template("  {spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
    }

    /// Moves the bar to `position` (bytes sent).
    pub fn position(&self, position: u64) {
        if let Some(bar) = self.lock().as_ref() {
            bar.set_position(position);
        }
    }

    /// A new message on the spinner or bar.
    pub fn message(&self, message: &str) {
        if let Some(bar) = self.lock().as_ref() {
            bar.set_message(message.to_string());
        }
    }

    /// Prints `line` on stderr above whatever is drawn (or plainly).
    pub fn println(&self, line: &str) {
        let guard = self.lock();
        match guard.as_ref() {
            Some(bar) => bar.println(line),
            None => {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "{line}");
            }
        }
    }

    /// Removes whatever is drawn.
    pub fn clear(&self) {
        self.replace(None);
    }

    fn replace(&self, bar: Option<ProgressBar>) {
        let mut guard = self.lock();
        if let Some(old) = guard.take() {
            old.finish_and_clear();
        }
        *guard = bar;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The one wording of a retry, for every binary: `retrying URL in 1.2s
/// (attempt 1/3 failed: HTTP 503)`, redacted.
pub fn retry_line(event: &pbx_index::RetryEvent) -> String {
    pbx_report::redact(&format!(
        "  retrying {} in {:.1}s (attempt {}/{} failed: {})",
        event.url,
        event.wait.as_secs_f64(),
        event.attempt,
        event.max_attempts,
        event.reason
    ))
    .into_owned()
}

/// `1.2 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// One live line per key (an interpreter): a spinner with the step it is
/// on, drawn while the work runs and cleared at the end, when the report
/// says it all. Nothing is drawn off a terminal.
#[derive(Debug)]
pub struct Lines {
    multi: Option<indicatif::MultiProgress>,
    lines: std::collections::BTreeMap<String, ProgressBar>,
}

impl Lines {
    /// Live lines when `enabled` (see [`on_terminal`]).
    pub fn new(enabled: bool) -> Lines {
        Lines {
            multi: enabled
                .then(|| indicatif::MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            lines: Default::default(),
        }
    }

    /// Whether anything is drawn.
    pub fn enabled(&self) -> bool {
        self.multi.is_some()
    }

    /// The line of `key` now says `message` (created on first use).
    pub fn update(&mut self, key: &str, message: &str) {
        let Some(multi) = &self.multi else { return };
        let bar = self.lines.entry(key.to_string()).or_insert_with(|| {
            let bar = multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("  {spinner} {prefix:>6} {elapsed:>4}  {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(key.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_message(message.to_string());
    }

    /// Removes the line of `key` (nothing when it has none).
    pub fn remove(&mut self, key: &str) {
        if let Some(bar) = self.lines.remove(key) {
            bar.finish_and_clear();
            if let Some(multi) = &self.multi {
                multi.remove(&bar);
            }
        }
    }

    /// Prints `line` above the live lines (or plainly).
    pub fn println(&self, line: &str) {
        match &self.multi {
            Some(multi) => {
                let _ = multi.println(line);
            }
            None => {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "{line}");
            }
        }
    }

    /// Removes every live line.
    pub fn clear(&mut self) {
        for bar in self.lines.values() {
            bar.finish_and_clear();
        }
        self.lines.clear();
        if let Some(multi) = &self.multi {
            let _ = multi.clear();
        }
    }
}

/// Hashing smaller than this in all takes less than a blink: no bar.
pub const HASH_BAR_MIN_BYTES: u64 = 256 << 20;

/// A byte bar for hashing (`pbx-checksum write/verify/inspect`), drawn on
/// a terminal when the files hold at least [`HASH_BAR_MIN_BYTES`] in all;
/// told by the library through [`pbx_artifact::HashProgress`] from
/// whichever thread hashes. `then`, when given, replaces the bar with a
/// spinner once every byte is hashed (work that follows the hashing).
/// Cleared when dropped.
#[derive(Debug)]
pub struct HashBar {
    live: Live,
    label: String,
    then: Option<String>,
    total: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicU64,
}

impl HashBar {
    /// A bar labelled `label`, drawn when stderr is a terminal
    /// ([`on_terminal`]).
    pub fn new(label: &str, then: Option<&str>) -> HashBar {
        HashBar::drawn(on_terminal(), label, then)
    }

    /// A bar drawn when `enabled`.
    pub fn drawn(enabled: bool, label: &str, then: Option<&str>) -> HashBar {
        HashBar {
            live: Live::new(enabled),
            label: label.to_string(),
            then: then.map(str::to_string),
            total: Default::default(),
            done: Default::default(),
        }
    }

    /// Removes the bar (or spinner).
    pub fn finish(&self) {
        self.live.clear();
    }
}

impl pbx_artifact::HashProgress for HashBar {
    fn start(&self, total: u64) {
        use std::sync::atomic::Ordering;
        self.total.store(total, Ordering::SeqCst);
        self.done.store(0, Ordering::SeqCst);
        if total >= HASH_BAR_MIN_BYTES {
            self.live.bytes(&self.label, total);
        }
    }

    fn hashed(&self, bytes: u64) {
        use std::sync::atomic::Ordering;
        let total = self.total.load(Ordering::Relaxed);
        if total < HASH_BAR_MIN_BYTES {
            return;
        }
        let done = self.done.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.live.position(done);
        if let Some(then) = &self.then {
            if done >= total && done - bytes < total {
                self.live.then_spinner(then);
            }
        }
    }
}

impl Drop for HashBar {
    fn drop(&mut self) {
        self.live.clear();
    }
}
