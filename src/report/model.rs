//! model: each factor's effect beyond the others. Ordinary least squares
//! of one outcome on an intercept and every factor column at once, with a
//! Freedman–Lane permutation test per judged coefficient (max-|t| across
//! them, Westfall–Young single step) and a wild bootstrap interval of each.
//! Pure linear algebra on plain columns; `super` decides what the columns
//! mean (DESIGN.md, "The report").

use super::dice::SplitMix64;

/// Fewest residual degrees of freedom (runs − kept columns) for any
/// inference: below it the spread of the outcome is a guess.
pub(super) const MIN_RESIDUAL_DF: usize = 3;

/// A column whose part beyond the earlier columns is this small, relative
/// to its own size, is a combination of them (a singular design).
const COLLINEAR: f64 = 1e-7;

/// The design `[1, columns…]` orthogonalised in order (modified
/// Gram–Schmidt, twice for stability): `X_kept = Q R`.
pub(super) struct Qr {
    n: usize,
    /// Orthonormal columns, one per kept column; the first is the intercept's.
    q: Vec<Vec<f64>>,
    /// R⁻¹, upper triangular, by rows: `r_inv[k][m]`.
    r_inv: Vec<Vec<f64>>,
    /// Per input column (the intercept not counted): its place among the
    /// kept columns, or None when it was dropped.
    place: Vec<Option<usize>>,
    /// Per dropped input column: the kept input column it is most made of
    /// (largest |coefficient|, the intercept left out), if any.
    leans_on: Vec<Option<usize>>,
}

impl Qr {
    /// `columns`: each of the same length, the runs. A column that is (in
    /// floating point) a combination of the intercept and the columns
    /// before it is dropped, so the order is the order of precedence.
    pub(super) fn new(columns: &[&[f64]], n: usize) -> Qr {
        let ones = vec![1.0; n];
        let mut q: Vec<Vec<f64>> = Vec::new();
        // R by columns: r_cols[j][k] = R[k][j], k ≤ j.
        let mut r_cols: Vec<Vec<f64>> = Vec::new();
        // Which input column each kept column is (None: the intercept).
        let mut kept_input: Vec<Option<usize>> = Vec::new();
        let mut place = vec![None; columns.len()];
        let mut leans_on = vec![None; columns.len()];
        let all = std::iter::once((None, ones.as_slice()))
            .chain(columns.iter().enumerate().map(|(i, c)| (Some(i), *c)));
        for (input, column) in all {
            if column.len() != n || n == 0 {
                continue;
            }
            let size = norm(column);
            let mut v = column.to_vec();
            let mut r = vec![0.0; q.len()];
            for _ in 0..2 {
                for (k, qk) in q.iter().enumerate() {
                    let d = dot(qk, &v);
                    r[k] += d;
                    v.iter_mut().zip(qk).for_each(|(x, qi)| *x -= d * qi);
                }
            }
            let beyond = norm(&v);
            if size == 0.0 || beyond <= COLLINEAR * size || q.len() >= n {
                if let Some(i) = input {
                    leans_on[i] = lean(&r_cols, &r, &kept_input);
                }
                continue;
            }
            v.iter_mut().for_each(|x| *x /= beyond);
            r.push(beyond);
            if let Some(i) = input {
                place[i] = Some(q.len());
            }
            q.push(v);
            r_cols.push(r);
            kept_input.push(input);
        }
        let r_inv = invert_upper(&r_cols);
        Qr {
            n,
            q,
            r_inv,
            place,
            leans_on,
        }
    }

    /// Kept columns, the intercept included.
    pub(super) fn kept(&self) -> usize {
        self.q.len()
    }

    pub(super) fn place(&self, input: usize) -> Option<usize> {
        self.place.get(input).copied().flatten()
    }

    pub(super) fn leans_on(&self, input: usize) -> Option<usize> {
        self.leans_on.get(input).copied().flatten()
    }

    /// `Q'v`.
    fn project(&self, v: &[f64]) -> Vec<f64> {
        self.q.iter().map(|qk| dot(qk, v)).collect()
    }

    /// Row `k` of R⁻¹ times `c`: coefficient `k` of the fit whose `Q'y` is `c`.
    fn coefficient(&self, k: usize, c: &[f64]) -> f64 {
        self.r_inv
            .get(k)
            .map_or(0.0, |row| row.iter().zip(c).map(|(a, b)| a * b).sum())
    }

    /// Coefficient per input column (None when dropped).
    pub(super) fn coefficients(&self, y: &[f64]) -> Vec<Option<f64>> {
        let c = self.project(y);
        self.place
            .iter()
            .map(|p| p.map(|k| self.coefficient(k, &c)))
            .collect()
    }

    /// `y − Q Q'y`.
    fn residuals(&self, y: &[f64]) -> Vec<f64> {
        let c = self.project(y);
        let mut e = y.to_vec();
        for (qk, ck) in self.q.iter().zip(&c) {
            e.iter_mut().zip(qk).for_each(|(x, qi)| *x -= ck * qi);
        }
        e
    }

    /// `(X'X)⁻¹` at (k, k): the sum of squares of R⁻¹'s row k.
    fn inverse_diagonal(&self, k: usize) -> f64 {
        self.r_inv
            .get(k)
            .map_or(0.0, |row| row.iter().map(|a| a * a).sum())
    }

    /// Row k of `(X'X)⁻¹ X'`: the weights that make coefficient k of any y.
    fn weights(&self, k: usize) -> Vec<f64> {
        let mut a = vec![0.0; self.n];
        if let Some(row) = self.r_inv.get(k) {
            for (rk, qm) in row.iter().zip(&self.q) {
                a.iter_mut().zip(qm).for_each(|(x, qi)| *x += rk * qi);
            }
        }
        a
    }
}

/// What the model says of one judged input column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Judged {
    pub estimate: f64,
    /// Wild bootstrap percentile interval at the level asked for.
    pub interval: Option<(f64, f64)>,
    /// Freedman–Lane p-value allowing for every judged column (the share
    /// of rounds whose largest |t| reached this one's), `(1 + k) / (1 + rounds)`.
    pub p_family: Option<f64>,
    /// The same test for this column alone.
    pub p_single: Option<f64>,
    /// The column's t statistic.
    pub t: f64,
    /// The |t| the family-wise test needs for a p-value below `alpha`
    /// (the `1 − alpha` quantile of the rounds' largest |t*|).
    pub t_needed_family: Option<f64>,
    /// The same for this column alone.
    pub t_needed_single: Option<f64>,
}

/// Fits `y` on `[1, columns…]` and judges the columns marked in `judge`
/// (dropped ones are not judged). Returns the design and, per input
/// column, the judgement (None when not judged or dropped). With fewer
/// than [`MIN_RESIDUAL_DF`] runs beyond the columns, or no rounds, the
/// estimates come without intervals or p-values.
pub(super) fn judge(
    columns: &[&[f64]],
    judge: &[bool],
    y: &[f64],
    rounds: usize,
    level: f64,
    alpha: f64,
    seed: u64,
) -> (Qr, Vec<Option<Judged>>) {
    let n = y.len();
    let qr = Qr::new(columns, n);
    let beta = qr.coefficients(y);
    let judged: Vec<usize> = (0..columns.len())
        .filter(|&i| judge.get(i).copied().unwrap_or(false) && qr.place(i).is_some())
        .collect();
    let mut out: Vec<Option<Judged>> = vec![None; columns.len()];
    for &i in &judged {
        out[i] = beta[i].map(|estimate| Judged {
            estimate,
            interval: None,
            p_family: None,
            p_single: None,
            t: 0.0,
            t_needed_family: None,
            t_needed_single: None,
        });
    }
    let df = n.saturating_sub(qr.kept());
    if df < MIN_RESIDUAL_DF || rounds == 0 || judged.is_empty() {
        return (qr, out);
    }
    let places: Vec<usize> = judged.iter().filter_map(|&i| qr.place(i)).collect();
    let estimates: Vec<f64> = judged.iter().map(|&i| beta[i].unwrap_or(0.0)).collect();
    let tests = freedman_lane(&qr, y, &places, &estimates, rounds, alpha, seed);
    let intervals = wild_bootstrap(
        &qr,
        y,
        &places,
        &estimates,
        rounds,
        level,
        super::dice::mix(seed),
    );
    for (j, &i) in judged.iter().enumerate() {
        if let Some(o) = out[i].as_mut() {
            if let Some(t) = tests.get(j) {
                o.p_family = Some(t.p_family);
                o.p_single = Some(t.p_single);
                o.t = t.t;
                o.t_needed_family = t.t_needed_family;
                o.t_needed_single = t.t_needed_single;
            }
            o.interval = intervals.get(j).copied().flatten();
        }
    }
    (qr, out)
}

/// Freedman & Lane (1983): for coefficient k, permute the residuals of the
/// model without k, add them back to that model's fit, refit the whole
/// model and take k's t. The fit without k lies in the whole model's
/// space, so only the permuted residuals matter: `t*_k` is the t of
/// `P e_Z(k)` regressed on the design. `e_Z(k) = e + β_k r_k`, with `r_k`
/// the part of column k beyond the others. One permutation per round
/// serves every k, and the round's largest |t*| is the family's null
/// (Westfall & Young 1993, single step). Returns the tests in the order of
/// `places`.
fn freedman_lane(
    qr: &Qr,
    y: &[f64],
    places: &[usize],
    estimates: &[f64],
    rounds: usize,
    alpha: f64,
    seed: u64,
) -> Vec<Test> {
    let n = y.len();
    let df = (n - qr.kept()) as f64;
    let e = qr.residuals(y);
    let rss: f64 = e.iter().map(|x| x * x).sum();
    let s2 = rss / df;
    struct One {
        k: usize,
        v_kk: f64,
        t: f64,
        reduced_residuals: Vec<f64>,
        reduced_rss: f64,
    }
    let ones: Vec<One> = places
        .iter()
        .zip(estimates)
        .map(|(&k, &beta)| {
            let v_kk = qr.inverse_diagonal(k);
            let r_k: Vec<f64> = qr.weights(k).iter().map(|a| a / v_kk).collect();
            let reduced_residuals: Vec<f64> =
                e.iter().zip(&r_k).map(|(ei, ri)| ei + beta * ri).collect();
            let reduced_rss = reduced_residuals.iter().map(|x| x * x).sum();
            One {
                k,
                v_kk,
                t: t_of(beta, s2, v_kk),
                reduced_residuals,
                reduced_rss,
            }
        })
        .collect();
    let mut rng = SplitMix64(seed);
    let mut order: Vec<usize> = (0..n).collect();
    let mut permuted = vec![0.0; n];
    let mut family = vec![0usize; ones.len()];
    let mut single = vec![0usize; ones.len()];
    let mut t_star = vec![0.0; ones.len()];
    let mut largest_of_rounds = Vec::with_capacity(rounds);
    let mut single_of_rounds: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); ones.len()];
    for _ in 0..rounds {
        rng.shuffle(&mut order);
        for (one, t) in ones.iter().zip(t_star.iter_mut()) {
            for (p, &o) in permuted.iter_mut().zip(&order) {
                *p = one.reduced_residuals[o];
            }
            let c = qr.project(&permuted);
            let beta = qr.coefficient(one.k, &c);
            let rss = (one.reduced_rss - c.iter().map(|x| x * x).sum::<f64>()).max(0.0);
            *t = t_of(beta, rss / df, one.v_kk).abs();
        }
        let largest = t_star.iter().fold(0.0f64, |m, t| m.max(*t));
        for (j, one) in ones.iter().enumerate() {
            let reach = one.t.abs() * (1.0 - 1e-9);
            family[j] += usize::from(largest >= reach);
            single[j] += usize::from(t_star[j] >= reach);
            single_of_rounds[j].push(t_star[j]);
        }
        largest_of_rounds.push(largest);
    }
    let p = |k: usize| (1 + k) as f64 / (1 + rounds) as f64;
    let needed = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        percentile(&v, 1.0 - alpha)
    };
    let t_needed_family = needed(largest_of_rounds);
    ones.iter()
        .zip(family)
        .zip(single)
        .zip(single_of_rounds)
        .map(|(((one, f), s), rounds_t)| Test {
            p_family: p(f),
            p_single: p(s),
            t: one.t,
            t_needed_family,
            t_needed_single: needed(rounds_t),
        })
        .collect()
}

/// One coefficient's permutation test.
struct Test {
    p_family: f64,
    p_single: f64,
    t: f64,
    t_needed_family: Option<f64>,
    t_needed_single: Option<f64>,
}

/// `β / sqrt(s² v)`; a fit without spread gives 0 for no effect, else ∞.
fn t_of(beta: f64, s2: f64, v_kk: f64) -> f64 {
    let se = (s2 * v_kk).sqrt();
    if se > 0.0 && se.is_finite() {
        beta / se
    } else if beta == 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// Wild bootstrap (Rademacher weights) of the judged coefficients: each
/// round flips the sign of each run's residual at random, divided by
/// `1 − h` (its leverage; HC3-like, so three runs carrying a factor are
/// not trusted as if they were thirty). The design stays fixed: a factor
/// of three runs cannot vanish from a resample. Percentile interval at
/// `level`, in the order of `places`.
fn wild_bootstrap(
    qr: &Qr,
    y: &[f64],
    places: &[usize],
    estimates: &[f64],
    rounds: usize,
    level: f64,
    seed: u64,
) -> Vec<Option<(f64, f64)>> {
    let n = y.len();
    let e = qr.residuals(y);
    let inflated: Vec<f64> = (0..n)
        .map(|i| {
            let h: f64 = qr.q.iter().map(|qk| qk[i] * qk[i]).sum();
            if 1.0 - h > 1e-9 {
                e[i] / (1.0 - h)
            } else {
                0.0
            }
        })
        .collect();
    let mut rng = SplitMix64(seed);
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); places.len()];
    let mut flipped = vec![0.0; n];
    for _ in 0..rounds {
        let mut bits = 0u64;
        for (i, (f, r)) in flipped.iter_mut().zip(&inflated).enumerate() {
            if i % 64 == 0 {
                bits = rng.next_u64();
            }
            *f = if bits & 1 == 1 { *r } else { -*r };
            bits >>= 1;
        }
        let c = qr.project(&flipped);
        for ((d, &k), beta) in draws.iter_mut().zip(places).zip(estimates) {
            d.push(beta + qr.coefficient(k, &c));
        }
    }
    let tail = ((1.0 - level) / 2.0).clamp(0.0, 0.5);
    draws
        .into_iter()
        .map(|mut d| {
            d.sort_by(f64::total_cmp);
            Some((percentile(&d, tail)?, percentile(&d, 1.0 - tail)?))
        })
        .collect()
}

/// The value at quantile `q` of sorted values (nearest rank).
pub(super) fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let index = ((q * last as f64).round() as usize).min(last);
    sorted.get(index).copied()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// The kept input column a dropped one is most made of: solve `R b = r`
/// for its coefficients on the kept columns and take the largest |b|
/// that is not the intercept's.
fn lean(r_cols: &[Vec<f64>], r: &[f64], kept_input: &[Option<usize>]) -> Option<usize> {
    let p = r_cols.len();
    let mut b = vec![0.0; p];
    for k in (0..p).rev() {
        let mut s = r.get(k).copied().unwrap_or(0.0);
        for (j, bj) in b.iter().enumerate().skip(k + 1) {
            s -= r_cols[j][k] * bj;
        }
        b[k] = s / r_cols[k][k];
    }
    b.iter()
        .zip(kept_input)
        .filter_map(|(bk, input)| Some(((*input)?, bk.abs())))
        .filter(|(_, size)| *size > 1e-6)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(input, _)| input)
}

/// R⁻¹ of an upper-triangular R given by columns, as rows.
fn invert_upper(r_cols: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let p = r_cols.len();
    // Column j of R⁻¹ solves R x = e_j (back substitution).
    let columns: Vec<Vec<f64>> = (0..p)
        .map(|j| {
            let mut x = vec![0.0; j + 1];
            for k in (0..=j).rev() {
                let mut s = if k == j { 1.0 } else { 0.0 };
                for (m, xm) in x.iter().enumerate().skip(k + 1) {
                    s -= r_cols[m][k] * xm;
                }
                x[k] = s / r_cols[k][k];
            }
            x
        })
        .collect();
    (0..p)
        .map(|k| {
            (0..p)
                .map(|j| columns[j].get(k).copied().unwrap_or(0.0))
                .collect()
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// y = 1 + 2a − 3b exactly: the fit finds the numbers.
    #[test]
    fn least_squares_finds_exact_coefficients() {
        let a = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
        let b = [1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
        let y: Vec<f64> = a
            .iter()
            .zip(&b)
            .map(|(a, b)| 1.0 + 2.0 * a - 3.0 * b)
            .collect();
        let qr = Qr::new(&[&a, &b], y.len());
        let beta = qr.coefficients(&y);
        assert!((beta[0].unwrap() - 2.0).abs() < 1e-9, "{beta:?}");
        assert!((beta[1].unwrap() + 3.0).abs() < 1e-9, "{beta:?}");
    }

    /// c = a + b: c is dropped and leans on a or b; a column of zeros and
    /// one equal to the intercept are dropped too.
    #[test]
    fn a_combination_of_earlier_columns_is_dropped() {
        let a = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
        let b = [1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        let c: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        let zeros = [0.0; 6];
        let ones = [1.0; 6];
        let qr = Qr::new(&[&a, &b, &c, &zeros, &ones], 6);
        assert_eq!(qr.kept(), 3);
        assert_eq!(
            (qr.place(0), qr.place(1), qr.place(2)),
            (Some(1), Some(2), None)
        );
        assert!(matches!(qr.leans_on(2), Some(0 | 1)));
        assert_eq!((qr.place(3), qr.place(4)), (None, None));
        assert_eq!(qr.leans_on(4), None, "the intercept is no factor");
    }

    /// A factor that travels with the cause: alone it would look linked,
    /// beyond the cause it is nothing; the cause is judged clear.
    #[test]
    fn the_factor_beyond_the_others_is_told_apart() {
        let mut rng = SplitMix64(5);
        let n = 120;
        let cause: Vec<f64> = (0..n).map(|i| f64::from(i % 4 == 0)).collect();
        // Travels with the cause in 3 of 4 of its runs, rarely otherwise.
        let companion: Vec<f64> = (0..n)
            .map(|i| f64::from(if i % 4 == 0 { i % 16 != 0 } else { i % 9 == 0 }))
            .collect();
        let y: Vec<f64> = cause
            .iter()
            .map(|c| 3.0 * c + rng.below(3) as f64 - 1.0)
            .collect();
        let (_, judged) = judge(
            &[&cause, &companion],
            &[true, true],
            &y,
            999,
            0.975,
            0.05,
            1,
        );
        let cause = judged[0].unwrap();
        let companion = judged[1].unwrap();
        assert!(cause.p_family.unwrap() < 0.01, "{cause:?}");
        assert!(cause.interval.unwrap().0 > 2.0, "{cause:?}");
        assert!(companion.p_family.unwrap() > 0.05, "{companion:?}");
        let (lo, hi) = companion.interval.unwrap();
        assert!(lo < 0.0 && hi > 0.0, "{companion:?}");
    }

    /// On noise the family-wise p-value is never below the single one.
    #[test]
    fn the_family_p_value_allows_for_the_others() {
        let mut rng = SplitMix64(8);
        let n = 60;
        let columns: Vec<Vec<f64>> = (0..6)
            .map(|_| (0..n).map(|_| f64::from(rng.below(3) == 0)).collect())
            .collect();
        let y: Vec<f64> = (0..n).map(|_| rng.below(5) as f64 - 2.0).collect();
        let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        let (_, judged) = judge(&refs, &[true; 6], &y, 500, 0.99, 0.05, 3);
        for j in judged.iter().flatten() {
            assert!(j.p_family.unwrap() >= j.p_single.unwrap(), "{j:?}");
            assert!(
                j.t_needed_family.unwrap() >= j.t_needed_single.unwrap(),
                "{j:?}"
            );
        }
    }

    #[test]
    fn too_few_runs_give_estimates_without_inference() {
        let a = [0.0, 1.0, 0.0, 1.0];
        let y = [0.0, 2.0, 0.5, 2.5];
        let (_, judged) = judge(&[&a], &[true], &y, 100, 0.95, 0.05, 1);
        let j = judged[0].unwrap();
        assert!((j.estimate - 2.0).abs() < 1e-9);
        assert_eq!((j.interval, j.p_family), (None, None));
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&sorted, 0.0), Some(1.0));
        assert_eq!(percentile(&sorted, 0.5), Some(3.0));
        assert_eq!(percentile(&sorted, 1.0), Some(5.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
