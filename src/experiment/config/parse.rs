//! The one set of text parsers for settings: the page's form, the CLI's flags and the
//! `claims` seed list all read numbers through these.
//!
//! Every parser trims white space and returns an [`Error::Invalid`] whose field is
//! empty: the caller names it (a settings field by its key, see
//! [`Field::apply`](super::field::Field::apply); the CLI by its flag).

use crate::error::{Error, Result};
use std::str::FromStr;

/// An error about `text` for the caller to name.
fn unnamed(message: String) -> Error {
    Error::invalid("", message)
}

/// A real number in Rust's float syntax (`1e-13`, `+2.5`, `0.1`, `NaN`, `inf`); ranges
/// are checked later, by the table.
pub fn number<T: FromStr>(text: &str) -> Result<T> {
    let t = text.trim();
    t.parse()
        .map_err(|_| unnamed(format!("{t:?} is not a number")))
}

/// A whole number (decimal digits, for any unsigned or signed integer type `T`); digits
/// that do not fit `T` say "is too large".
pub fn whole<T: FromStr>(text: &str) -> Result<T> {
    let t = text.trim();
    t.parse().map_err(|_| {
        let digits = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let why = if digits {
            "is too large"
        } else {
            "is not a whole number"
        };
        unnamed(format!("{t:?} {why}"))
    })
}

/// The items of a list: the text split at commas, semicolons and white space, empty
/// items dropped (`1e-1, 1e-2 ;1e-3` has three).
pub fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
}

/// A list of values, each read by `item` (the FD step sizes `h` with [`number`], per-layer
/// widths with [`whole`]); the first bad item is the error.
pub fn list<T>(text: &str, item: fn(&str) -> Result<T>) -> Result<Vec<T>> {
    items(text).map(item).collect()
}

/// `None` for the empty text or the word `none` (`auto`: the learning rate picked by
/// its rule), else `Some` number.
pub fn number_or(text: &str, none: &str) -> Result<Option<f64>> {
    match text.trim() {
        "" => Ok(None),
        t if t == none => Ok(None),
        t => number(t)
            .map(Some)
            .map_err(|_| unnamed(format!("{t:?} is neither {none:?} nor a number"))),
    }
}

/// One of `choices` (exactly, after trimming): the choice itself.
pub fn choice(text: &str, choices: &'static [&'static str]) -> Result<&'static str> {
    let t = text.trim();
    choices
        .iter()
        .find(|&&c| c == t)
        .copied()
        .ok_or_else(|| unnamed(format!("{t:?}: choose one of {}", choices.join(", "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn whole_numbers_say_too_large_only_for_digits() {
        assert_eq!(whole::<u8>(" 255 ").unwrap(), 255);
        assert!(message(whole::<u8>("256")).contains("\"256\" is too large"));
        assert!(message(whole::<u64>("-1")).contains("is not a whole number"));
        assert!(message(whole::<u64>("1e3")).contains("is not a whole number"));
        assert!(message(whole::<u64>("")).contains("is not a whole number"));
    }

    #[test]
    fn lists_split_at_commas_semicolons_and_white_space() {
        assert_eq!(
            list("1e-1, 1e-2 ;1e-3\t2", number::<f64>).unwrap(),
            [0.1, 0.01, 0.001, 2.0]
        );
        assert_eq!(list(" ,; ", number::<f64>).unwrap(), Vec::<f64>::new());
        assert!(message(list("1,x", number::<f64>)).contains("\"x\" is not a number"));
        assert_eq!(list("3 4", whole::<usize>).unwrap(), [3, 4]);
    }

    #[test]
    fn a_word_or_a_number() {
        assert_eq!(number_or(" auto ", "auto").unwrap(), None);
        assert_eq!(number_or("", "auto").unwrap(), None);
        assert_eq!(number_or("1e-3", "auto").unwrap(), Some(1e-3));
        assert!(message(number_or("fast", "auto")).contains("neither \"auto\""));
    }

    #[test]
    fn choices_are_exact() {
        assert_eq!(choice(" 4 ", &["2", "4"]).unwrap(), "4");
        assert!(message(choice("3", &["2", "4"])).contains("choose one of 2, 4"));
    }
}
