//! One error type for the whole crate, with messages a learner understands.
//!
//! Every message names the offending field and the allowed range, so the CLI can
//! print it on one line (exit code 2) and the web page can show it beside the
//! control it belongs to.

use std::fmt;

/// Everything that can go wrong in adfd, from a bad config to a failed decomposition.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A configuration field is outside its allowed range.
    /// `field` is the config key (e.g. `"m"`, `"h"`), `message` says what is allowed.
    Invalid { field: String, message: String },
    /// A matrix contains NaN or ±∞, so no decomposition is attempted.
    NonFinite { what: String },
    /// An iterative decomposition did not converge within its iteration limit.
    NoConvergence { what: String },
}

impl Error {
    /// An [`Error::Invalid`] for `field` with an explanation of the allowed range.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error about the field `field` (a config path renamed to the page's
    /// control key, a parser's unnamed error given its field); other errors unchanged.
    pub fn named(self, field: &str) -> Self {
        match self {
            Error::Invalid { message, .. } => Error::invalid(field, message),
            e => e,
        }
    }

    /// What the error says, without its field (for a caller that names the field
    /// itself: the CLI names the flag).
    pub fn message(&self) -> String {
        match self {
            Error::Invalid { message, .. } => message.clone(),
            e => e.to_string(),
        }
    }

    /// The config field this error is about, if any (the web page puts the message there).
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid { field, message } => write!(f, "invalid {field}: {message}"),
            Error::NonFinite { what } => write!(
                f,
                "{what} contains NaN or infinity; try a larger h, a smaller scale or f64"
            ),
            Error::NoConvergence { what } => {
                write!(
                    f,
                    "{what}: the SVD did not converge within its iteration limit"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// Result with adfd's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
