//! The tests' own seeded dice: every made-up runner and planted pain diary
//! is the same on every run. The simulator's splitmix64, independent of
//! the report's own generator.
#![allow(dead_code)]

use tendonwatch::sim::runs::SimRng;

pub struct Dice(SimRng);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(SimRng::new(seed))
    }

    pub fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0.next_f64()
    }

    /// Uniform in [lo, hi).
    pub fn between(&mut self, lo: f64, hi: f64) -> f64 {
        self.0.uniform(lo, hi)
    }

    /// An integer in lo..=hi.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}
