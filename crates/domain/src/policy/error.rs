//! Why a policy file was rejected: the file, the rule and the problem.

/// A policy file that cannot be used. 策略文件错误
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{problem}", rule.as_ref().map(|r| format!("rule {r}: ")).unwrap_or_default())]
pub struct PolicyError {
    /// The file (or built-in profile name).
    pub file: String,
    /// The rule at fault, when the problem is in one rule.
    pub rule: Option<String>,
    /// What is wrong.
    pub problem: String,
}
