//! Typed import errors. Each has a stable machine code ([`ImportError::code`]) and a
//! `Display` that is one plain sentence for the person importing. Messages never quote
//! the chat: at most a line number or a byte count, since the chat is evidence and
//! error text ends up in logs and screenshots.

use std::fmt;

use crate::whatsapp::DateOrder;

/// Why an import refused a file. Nothing is imported when any of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The bytes are not UTF-8 text.
    #[error("The chat export is not a text file WhatsApp wrote: it stops being readable text after {offset} bytes, so nothing was imported.")]
    NotUtf8 {
        /// 0-based offset of the first byte that is not UTF-8, in the file as given
        /// (a byte-order mark counts), i.e. how many bytes before it were readable.
        offset: usize,
    },
    /// The file holds nothing but blank lines.
    #[error("The chat export has no messages in it, so nothing was imported.")]
    Empty,
    /// A line cannot be read; `reason` says why.
    #[error("Line {line} of the chat export {reason}, so nothing was imported.")]
    Malformed {
        /// 1-based line number in the file.
        line: usize,
        /// What is wrong with the line.
        reason: MalformedReason,
    },
    /// Two lines write their dates in orders that cannot both be right (say, one has
    /// 13 as its first number and another 13 as its second), so no date can be trusted.
    #[error("Line {line} of the chat export writes its date in a different order from line {earlier_line}, so nothing was imported; choose the date order and try again.")]
    DateOrderConflict {
        /// 1-based line that contradicts what came before.
        line: usize,
        /// 1-based earlier line it contradicts.
        earlier_line: usize,
    },
    /// One message (sender and text) is longer than
    /// [`MAX_MESSAGE_BYTES`](crate::whatsapp::MAX_MESSAGE_BYTES): WhatsApp cannot
    /// send that, so the file was made or changed by something else.
    #[error("The message on line {line} of the chat export is far longer than WhatsApp allows, so nothing was imported.")]
    MessageTooLong {
        /// 1-based line of the message's first line.
        line: usize,
    },
}

impl ImportError {
    /// A stable, machine-readable code for this error (shells map on it, never on text).
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::NotUtf8 { .. } => "import_not_utf8",
            ImportError::Empty => "import_empty",
            ImportError::Malformed { .. } => "import_malformed",
            ImportError::DateOrderConflict { .. } => "import_date_order_conflict",
            ImportError::MessageTooLong { .. } => "import_message_too_long",
        }
    }
}

/// What is wrong with a line ([`ImportError::Malformed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedReason {
    /// The first line does not start with a date and time the way WhatsApp writes them.
    NotAMessageLine,
    /// The date cannot exist in any order (30 February, month 13 and day 13 …).
    NoSuchDate,
    /// The time cannot exist (25:00, 13:00 PM …).
    NoSuchTime,
    /// The date does not exist when read in the order the caller chose.
    DateDoesNotFit(DateOrder),
}

impl MalformedReason {
    /// A stable, machine-readable code for the reason.
    pub fn code(&self) -> &'static str {
        match self {
            MalformedReason::NotAMessageLine => "not_a_message_line",
            MalformedReason::NoSuchDate => "no_such_date",
            MalformedReason::NoSuchTime => "no_such_time",
            MalformedReason::DateDoesNotFit(_) => "date_does_not_fit",
        }
    }
}

impl fmt::Display for MalformedReason {
    /// A verb phrase that completes "Line N of the chat export …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MalformedReason::NotAMessageLine => f.write_str("is not a WhatsApp message line"),
            MalformedReason::NoSuchDate => f.write_str("has a date that does not exist"),
            MalformedReason::NoSuchTime => f.write_str("has a time that does not exist"),
            MalformedReason::DateDoesNotFit(order) => {
                write!(
                    f,
                    "has a date that does not exist when read {order} as chosen"
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sentence_is_one_plain_sentence_with_its_numbers() {
        let all = [
            (ImportError::NotUtf8 { offset: 17 }, "17"),
            (ImportError::Empty, ""),
            (
                ImportError::Malformed {
                    line: 4,
                    reason: MalformedReason::NotAMessageLine,
                },
                "Line 4 ",
            ),
            (
                ImportError::Malformed {
                    line: 5,
                    reason: MalformedReason::DateDoesNotFit(DateOrder::MonthFirst),
                },
                "month first",
            ),
            (
                ImportError::DateOrderConflict {
                    line: 9,
                    earlier_line: 2,
                },
                "line 2",
            ),
            (ImportError::MessageTooLong { line: 3 }, "line 3 "),
        ];
        let mut codes = Vec::new();
        for (e, needle) in &all {
            let s = e.to_string();
            assert!(s.ends_with('.'), "{s}");
            assert!(s.starts_with(char::is_uppercase), "{s}");
            assert!(s.contains(needle), "{s} lacks {needle}");
            assert!(s.contains("nothing was imported"), "{s}");
            // One sentence: no full stop before the end.
            assert!(!s.trim_end_matches('.').contains(". "), "{s}");
            assert!(e.code().starts_with("import_"));
            codes.push(e.code());
        }
        codes.sort_unstable();
        codes.dedup();
        // Two of the six are `Malformed`; every variant has its own code.
        assert_eq!(codes.len(), 5, "{codes:?}");
    }

    #[test]
    fn reason_codes_are_distinct() {
        let mut codes = [
            MalformedReason::NotAMessageLine.code(),
            MalformedReason::NoSuchDate.code(),
            MalformedReason::NoSuchTime.code(),
            MalformedReason::DateDoesNotFit(DateOrder::DayFirst).code(),
        ];
        codes.sort_unstable();
        assert!(codes.windows(2).all(|w| w[0] != w[1]));
    }
}
