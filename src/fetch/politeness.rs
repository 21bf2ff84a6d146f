//! Per-origin politeness: a rate limiter per origin, a "not before" time for backoff and Retry-After, and giving up on a host that keeps failing.
//!
//! One keyed limiter with one quota cannot give different hosts different rates (a vendor may
//! set its own, robots.txt may ask for a longer Crawl-delay), so each origin gets its own
//! direct limiter, replaced when it must become slower.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// Consecutive failed pages after which an origin is given up for the run.
pub const GIVE_UP_AFTER: u32 = 3;

/// The politeness state of one origin (scheme, host, port).
pub struct Gate {
    limiter: Mutex<(Duration, Arc<DefaultDirectRateLimiter>)>,
    not_before: Mutex<Instant>,
    turn: tokio::sync::Mutex<()>,
    /// The limiter's clock (making one is not cheap).
    clock: DefaultClock,
    failures: AtomicU32,
    given_up: Mutex<Option<String>>,
}

fn limiter(period: Duration, burst: u32) -> Arc<DefaultDirectRateLimiter> {
    let period = period.max(Duration::from_micros(1));
    let quota = Quota::with_period(period)
        .expect("period is not zero")
        .allow_burst(NonZeroU32::new(burst.max(1)).expect("burst is at least 1"));
    Arc::new(RateLimiter::direct(quota))
}

impl Gate {
    pub fn new(requests_per_second: f64, burst: u32) -> Gate {
        let period = Duration::from_secs_f64(1.0 / requests_per_second);
        Gate {
            limiter: Mutex::new((period, limiter(period, burst))),
            not_before: Mutex::new(Instant::now()),
            turn: tokio::sync::Mutex::new(()),
            clock: DefaultClock::default(),
            failures: AtomicU32::new(0),
            given_up: Mutex::new(None),
        }
    }

    /// Waits until a request to this origin may go out (after any backoff or Retry-After, and
    /// within the rate) and one of the run's request `slots` is free; returns the slot.
    ///
    /// The rate is taken only while the slot is held, right before the request is sent: taken
    /// earlier, a request that then queued for a slot behind other hosts' requests could go out
    /// right behind another of this origin, and the host would get more than its rate.
    pub async fn take_turn<'a>(&self, slots: &'a Semaphore) -> SemaphorePermit<'a> {
        // One request of this origin at a time goes through here: the others would all wake at
        // the same instant, each take a slot, and all but one give it back.
        let _turn = self.turn.lock().await;
        loop {
            let not_before = *self.not_before.lock().expect("gate lock");
            if Instant::now() < not_before {
                tokio::time::sleep_until(not_before).await;
            }
            let slot = slots.acquire().await.expect("the request slots are never closed");
            // A Retry-After may have arrived while this request waited for a slot.
            if Instant::now() < *self.not_before.lock().expect("gate lock") {
                continue;
            }
            let limiter = self.limiter.lock().expect("gate lock").1.clone();
            match limiter.check() {
                Ok(()) => return slot,
                Err(not_until) => {
                    // Not yet: give the slot back and sleep until the rate allows one more.
                    drop(slot);
                    tokio::time::sleep(not_until.wait_time_from(self.clock.now())).await;
                }
            }
        }
    }

    /// No request to this origin before `until` (backoff, Retry-After).
    pub fn defer_until(&self, until: Instant) {
        let mut nb = self.not_before.lock().expect("gate lock");
        if until > *nb {
            *nb = until;
        }
    }

    /// Spaces requests at least `period` apart (robots.txt Crawl-delay), if that is slower than
    /// the current rate; never faster.
    pub fn slow_to(&self, period: Duration) {
        let mut current = self.limiter.lock().expect("gate lock");
        if period > current.0 {
            *current = (period, limiter(period, 1));
        }
    }

    /// The current minimum spacing between requests (without burst).
    pub fn period(&self) -> Duration {
        self.limiter.lock().expect("gate lock").0
    }

    pub fn succeeded(&self) {
        self.failures.store(0, Ordering::Relaxed);
    }

    /// Records a failed page; after [`GIVE_UP_AFTER`] in a row the origin is given up.
    pub fn failed(&self, why: &str) {
        if self.failures.fetch_add(1, Ordering::Relaxed) + 1 >= GIVE_UP_AFTER {
            let mut g = self.given_up.lock().expect("gate lock");
            if g.is_none() {
                *g = Some(format!("given up after {GIVE_UP_AFTER} failures in a row (last: {why})"));
            }
        }
    }

    /// Why this origin was given up for the run, if it was.
    pub fn given_up(&self) -> Option<String> {
        self.given_up.lock().expect("gate lock").clone()
    }
}

/// The gates of every origin met during a run.
#[derive(Default)]
pub struct Gates {
    gates: Mutex<HashMap<String, Arc<Gate>>>,
}

impl Gates {
    /// The gate of `origin`, created with this rate the first time it is met.
    pub fn get(&self, origin: &str, requests_per_second: f64, burst: u32) -> Arc<Gate> {
        self.gates
            .lock()
            .expect("gates lock")
            .entry(origin.to_string())
            .or_insert_with(|| Arc::new(Gate::new(requests_per_second, burst)))
            .clone()
    }

    /// Origins given up during the run, with why.
    pub fn given_up(&self) -> Vec<(String, String)> {
        let gates = self.gates.lock().expect("gates lock");
        let mut v: Vec<(String, String)> =
            gates.iter().filter_map(|(o, g)| g.given_up().map(|why| (o.clone(), why))).collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant as StdInstant;

    #[tokio::test]
    async fn requests_are_spaced_by_the_rate() {
        let gate = Gate::new(20.0, 1);
        let slots = Semaphore::new(4);
        let start = StdInstant::now();
        for _ in 0..5 {
            drop(gate.take_turn(&slots).await);
        }
        // The first passes at once, the next four at least 50 ms apart.
        assert!(start.elapsed() >= Duration::from_millis(195), "{:?}", start.elapsed());
    }

    #[tokio::test]
    async fn crawl_delay_only_ever_slows_down() {
        let gate = Gate::new(10.0, 1);
        gate.slow_to(Duration::from_millis(50));
        assert_eq!(gate.period(), Duration::from_millis(100));
        gate.slow_to(Duration::from_millis(300));
        assert_eq!(gate.period(), Duration::from_millis(300));
    }

    #[tokio::test]
    async fn a_deferral_holds_the_next_request() {
        let gate = Gate::new(1000.0, 1);
        let slots = Semaphore::new(1);
        drop(gate.take_turn(&slots).await);
        gate.defer_until(Instant::now() + Duration::from_millis(150));
        let start = StdInstant::now();
        drop(gate.take_turn(&slots).await);
        assert!(start.elapsed() >= Duration::from_millis(140), "{:?}", start.elapsed());
    }

    #[test]
    fn three_failures_in_a_row_give_up_but_a_success_resets() {
        let gate = Gate::new(1.0, 1);
        gate.failed("timeout");
        gate.failed("timeout");
        gate.succeeded();
        gate.failed("timeout");
        gate.failed("timeout");
        assert!(gate.given_up().is_none());
        gate.failed("503");
        assert!(gate.given_up().unwrap().contains("last: 503"));
    }
}
