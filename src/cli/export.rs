//! `tendonwatch export DIR [--force]`: everything the store holds about
//! you as CSV files and a README describing each column (see
//! `crate::export`, which the dashboard's `/export.zip` shares).

use super::{Context_, UsageError};
use crate::export::{self, DirError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write (created if needed; must be empty unless --force).
    pub dir: PathBuf,
    /// Write into a folder that holds files: the export's own files are
    /// replaced, nothing else is touched.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Context_, args: Args) -> anyhow::Result<ExitCode> {
    let files = export::files(&ctx.open_store()?, &ctx.config.zone())?;
    export::write_dir(&args.dir, &files, args.force).map_err(|e| {
        match e.downcast::<DirError>() {
            Ok(refusal) => UsageError(refusal.to_string()).into(),
            Err(other) => other.context(format!("writing the export to {}", args.dir.display())),
        }
    })?;
    let names: Vec<&str> = files.iter().map(|f| f.0).collect();
    println!("wrote {} to {}", names.join(", "), args.dir.display());
    Ok(ExitCode::SUCCESS)
}
