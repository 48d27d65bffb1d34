//! The explorer: project/logstore tree, SQL editor, result grid, payload
//! detail and live tail.

pub fn run() -> anyhow::Result<()> {
    anyhow::bail!("the explorer is not implemented yet")
}
