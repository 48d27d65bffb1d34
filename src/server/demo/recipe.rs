//! The demo recipe (assets/demo/recipe.toml), embedded at build time.

use serde::Deserialize;

const RECIPE_TOML: &str = include_str!("../../../assets/demo/recipe.toml");

#[derive(Debug, thiserror::Error)]
#[error("the demo recipe is invalid: {0}")]
pub struct RecipeError(String);

#[derive(Debug, Clone, Deserialize)]
pub struct Recipe {
    pub seed: u64,
    pub points: usize,
    pub log_lines: usize,
    pub bursts: usize,
    pub burst_minutes: u32,
    pub burst_factor: f64,
    pub users: u32,
    pub logstores: Vec<LogstoreRecipe>,
    #[serde(rename = "log_line")]
    pub lines: Vec<LogLineRecipe>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogstoreRecipe {
    pub project: String,
    pub logstore: String,
    pub share: f64,
    pub blob_names: Vec<String>,
    pub events: Vec<EventRecipe>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventRecipe {
    pub event: String,
    pub level: String,
    pub weight: f64,
    #[serde(default)]
    pub payload: Option<PayloadKind>,
    pub blobs: Vec<Vec<String>>,
    pub doubles: Vec<DoubleRecipe>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayloadKind {
    Stack,
    Request,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct DoubleRecipe {
    pub median: f64,
    pub sigma: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogLineRecipe {
    pub project: String,
    pub logstore: String,
    pub level: String,
    pub weight: f64,
    pub messages: Vec<String>,
}

impl Recipe {
    pub fn embedded() -> Result<Self, RecipeError> {
        let recipe: Recipe = toml::from_str(RECIPE_TOML).map_err(|e| RecipeError(e.to_string()))?;
        recipe.check()?;
        Ok(recipe)
    }

    fn check(&self) -> Result<(), RecipeError> {
        for ls in &self.logstores {
            if !crate::limits::is_valid_name(&ls.project)
                || !crate::limits::is_valid_name(&ls.logstore)
            {
                return Err(RecipeError(format!(
                    "bad name {}/{}",
                    ls.project, ls.logstore
                )));
            }
            for ev in &ls.events {
                if ev.blobs.iter().any(Vec::is_empty) || ev.blobs.len() > crate::limits::MAX_BLOBS {
                    return Err(RecipeError(format!(
                        "event {} has bad blob lists",
                        ev.event
                    )));
                }
            }
            if ls.events.is_empty() {
                return Err(RecipeError(format!(
                    "{}/{} has no events",
                    ls.project, ls.logstore
                )));
            }
        }
        if self.logstores.is_empty() || self.lines.iter().any(|l| l.messages.is_empty()) {
            return Err(RecipeError("no logstores or an empty message list".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_recipe_parses_and_meets_the_brief() {
        let r = Recipe::embedded().unwrap();
        let projects: std::collections::BTreeSet<_> =
            r.logstores.iter().map(|l| l.project.as_str()).collect();
        assert!(projects.len() >= 3);
        assert!(r.logstores.len() >= 6);
        assert!(r.points >= 50_000);
        assert!(!r.lines.is_empty());
    }
}
