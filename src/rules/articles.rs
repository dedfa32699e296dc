//! The four articles the rules come from, by their own titles (RULES.md,
//! the table at the top). What a runner reads cites an article by its
//! title, never by a file number of ours, which means nothing to them. Each
//! title is written here once; a rule's source names it through these.

/// A six-step return-to-running guide, with readers' comments.
pub const RECOVERY_AND_WORKOUTS: &str = "“Achilles Tendonitis – Recovery and Workouts”";
/// Symptoms, causes and treatments, with readers' comments.
pub const ACHILLES_TENDONITIS: &str = "“Achilles Tendonitis”";
/// Pain ≤ 3/10, back to baseline within 24 h.
pub const MANAGE_INJURIES: &str = "“How to Manage Achilles Tendon Injuries for Runners”";
/// Hills, speed, mileage, cadence, surfaces.
pub const SOLVE_TENDON_PAIN: &str = "“How To Solve Achilles Tendon Pain”";
