//! `tendonwatch visa-a`: the VISA-A questionnaire (0–100, higher is better),
//! asked on a terminal or given as flags, stored, with its trend.

use super::{Context_, UsageError};
use crate::pain::{VISA_A_QUESTIONS, VisaA};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

/// The questions' own words are the flags' help (`pain::VISA_A_QUESTIONS`,
/// also what the terminal asks), so `visa-a --help` explains each answer.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_name = "0-10", help = VISA_A_QUESTIONS[0])]
    pub q1: Option<u8>,
    #[arg(long, value_name = "0-10", help = VISA_A_QUESTIONS[1])]
    pub q2: Option<u8>,
    #[arg(long, value_name = "0-10", help = VISA_A_QUESTIONS[2])]
    pub q3: Option<u8>,
    #[arg(long, value_name = "0-10", help = VISA_A_QUESTIONS[3])]
    pub q4: Option<u8>,
    #[arg(long, value_name = "0-10", help = VISA_A_QUESTIONS[4])]
    pub q5: Option<u8>,
    #[arg(long, value_name = "0-10", help = VISA_A_QUESTIONS[5])]
    pub q6: Option<u8>,
    #[arg(long, value_name = "0|4|7|10", help = VISA_A_QUESTIONS[6])]
    pub q7: Option<u8>,
    /// Question 8 as PART:POINTS — a (no pain in sport): 0,7,14,21,30;
    /// b (pain, but it does not stop you): 0,4,10,14,20; c (pain stops you): 0,2,5,7,10.
    #[arg(long)]
    pub q8: Option<String>,
    /// When you answered (YYYY-MM-DD or YYYY-MM-DDTHH:MM, your local
    /// time; default now).
    #[arg(long)]
    pub at: Option<String>,
    /// Only show the trend.
    #[arg(long)]
    pub history: bool,
    /// Print every stored questionnaire as JSON (answers and score).
    #[arg(long)]
    pub json: bool,
}

fn usage(message: String) -> anyhow::Error {
    UsageError(message).into()
}

fn parse_q8(text: &str) -> anyhow::Result<(char, u8)> {
    let (part, points) = text
        .split_once(':')
        .ok_or_else(|| usage(format!("--q8 {text}: give PART:POINTS, e.g. a:21")))?;
    let part = part
        .trim()
        .to_ascii_lowercase()
        .chars()
        .next()
        .unwrap_or(' ');
    let points: u8 = points
        .trim()
        .parse()
        .map_err(|_| usage(format!("--q8 {text}: points must be a number")))?;
    Ok((part, points))
}

fn ask(lines: &mut impl BufRead, question: &str) -> anyhow::Result<String> {
    print!("{question}\n> ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    if lines.read_line(&mut line)? == 0 {
        return Err(usage("no answer (input ended)".to_string()));
    }
    Ok(line.trim().to_string())
}

fn interactive() -> anyhow::Result<VisaA> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock();
    let mut q = [0u8; 7];
    for (i, question) in VISA_A_QUESTIONS.iter().enumerate() {
        loop {
            let answer = ask(&mut lines, question)?;
            match answer.parse::<u8>() {
                Ok(v) if (i < 6 && v <= 10) || (i == 6 && [0, 4, 7, 10].contains(&v)) => {
                    q[i] = v;
                    break;
                }
                _ => println!("  please answer with one of the numbers shown"),
            }
        }
    }
    let part = loop {
        let a = ask(
            &mut lines,
            "8. In sport, do you have (a) no pain, (b) pain that does not stop you, or (c) pain that stops you? (a/b/c)",
        )?;
        match a.to_ascii_lowercase().as_str() {
            "a" => break 'a',
            "b" => break 'b',
            "c" => break 'c',
            _ => println!("  please answer a, b or c"),
        }
    };
    let choices: &[u8] = match part {
        'a' => &[0, 7, 14, 21, 30],
        'b' => &[0, 4, 10, 14, 20],
        _ => &[0, 2, 5, 7, 10],
    };
    let points = loop {
        let a = ask(
            &mut lines,
            &format!(
                "8{part}. How long can you train? (nil … more than 30 minutes: {})",
                crate::pain::choices(choices)
            ),
        )?;
        match a.parse::<u8>() {
            Ok(v) if choices.contains(&v) => break v,
            _ => println!(
                "  please answer with one of {}",
                crate::pain::choices(choices)
            ),
        }
    };
    Ok(VisaA {
        q1_to_q7: q,
        q8_part: part,
        q8_points: points,
    })
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now().timestamp_millis();
    if !args.history {
        let flags = [
            args.q1, args.q2, args.q3, args.q4, args.q5, args.q6, args.q7,
        ];
        let answers = if flags.iter().all(Option::is_none) && args.q8.is_none() {
            if !std::io::stdin().is_terminal() {
                return Err(usage(
                    "give all eight answers as flags (--q1 … --q7, --q8 PART:POINTS) or run it on a terminal".to_string(),
                ));
            }
            interactive()?
        } else {
            let mut q = [0u8; 7];
            for (i, v) in flags.iter().enumerate() {
                q[i] = v.ok_or_else(|| {
                    usage(format!("--q{} is missing: give all eight answers", i + 1))
                })?;
            }
            let (part, points) =
                parse_q8(args.q8.as_deref().ok_or_else(|| {
                    usage("--q8 is missing: give all eight answers".to_string())
                })?)?;
            VisaA {
                q1_to_q7: q,
                q8_part: part,
                q8_points: points,
            }
        };
        answers.validate().map_err(usage)?;
        let at_ms = match args.at.as_deref() {
            Some(t) => ctx.parse_time(t).map_err(|e| usage(format!("--at {e}")))?,
            None => now,
        };
        if at_ms > now + crate::pain::FUTURE_SLACK_MS {
            return Err(usage("--at is in the future".to_string()));
        }
        let mut store = ctx.open_store()?;
        store.add_visa_a(at_ms, &answers)?;
        if !args.json {
            println!("VISA-A {:.0}/100 stored", answers.score());
        }
    }
    let store = ctx.open_store()?;
    let scores = store.visa_a_scores()?;
    if args.json {
        println!("{}", crate::units::json(&scores)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut previous: Option<f64> = None;
    for s in &scores {
        // The runner's day, not UTC's: a questionnaire filled in at 07:00
        // in UTC+8 is that morning's.
        let day = crate::zone::format_local(s.at_ms, &ctx.zone(), "%Y-%m-%d");
        let change = previous
            .map(|p| format!(" ({:+.0})", s.score - p))
            .unwrap_or_default();
        println!("  {day}  {:>3.0}/100{change}", s.score);
        previous = Some(s.score);
    }
    if let (Some(first), Some(last)) = (scores.first(), scores.last()) {
        if scores.len() > 1 {
            let word = if last.score > first.score {
                "better"
            } else if last.score < first.score {
                "worse"
            } else {
                "unchanged"
            };
            println!(
                "trend: {word}, {:.0} → {:.0} over {} questionnaires",
                first.score,
                last.score,
                scores.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
