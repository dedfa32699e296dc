//! The report's own seeded dice: the resampling must not depend on a
//! crate's generator changing between versions, and the same seed must
//! always give the same report.

/// splitmix64 (Steele, Lea, Flood 2014): tiny, seedable, good enough for
/// resampling indices.
pub(super) struct SplitMix64(pub(super) u64);

impl SplitMix64 {
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in 0..n (multiply-shift; the bias is below 2⁻⁵⁰ for any n a
    /// runner's history holds).
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A random order of `0..n` in `order` (Fisher–Yates over what it holds).
    pub(super) fn shuffle(&mut self, order: &mut [usize]) {
        for i in (1..order.len()).rev() {
            let j = self.below(i + 1);
            order.swap(i, j);
        }
    }
}

/// splitmix64's finaliser: spreads a seed's bits.
pub(super) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a: each factor gets its own stream, so adding a factor (a new
/// surface in the data) leaves the others' intervals unchanged.
pub(super) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_stay_in_range_and_cover_it() {
        let mut rng = SplitMix64(3);
        let mut seen = [0usize; 5];
        for _ in 0..5000 {
            let i = rng.below(5);
            assert!(i < 5);
            seen[i] += 1;
        }
        assert!(seen.iter().all(|n| *n > 800), "{seen:?}");
    }

    #[test]
    fn a_shuffle_keeps_every_index_once() {
        let mut order: Vec<usize> = (0..50).collect();
        SplitMix64(9).shuffle(&mut order);
        assert_ne!(order, (0..50).collect::<Vec<_>>());
        order.sort_unstable();
        assert_eq!(order, (0..50).collect::<Vec<_>>());
    }
}
