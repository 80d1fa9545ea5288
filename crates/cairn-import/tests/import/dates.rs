//! Date order: worked out from the whole file, or chosen by the person.

use cairn_import::whatsapp::{parse, DateOrder};
use cairn_import::{ImportError, MalformedReason};

use crate::{at, chat};

#[test]
fn a_late_day_over_12_settles_every_earlier_date() {
    let mut export = String::new();
    for day in 1..=12 {
        export.push_str(&format!("{day:02}/01/2024, 10:00 - Alice: day {day}\n"));
    }
    export.push_str("13/01/2024, 10:00 - Alice: day 13\n");
    let c = chat(&export);
    assert_eq!(c.date_order, DateOrder::DayFirst);
    assert!(!c.date_order_guessed);
    assert_eq!(at(c.messages[1].sent_at), "2024-01-02 10:00:00");
    assert_eq!(at(c.messages[12].sent_at), "2024-01-13 10:00:00");
}

#[test]
fn a_second_number_over_12_means_month_first() {
    let c = chat("01/02/2024, 10:00 - Alice: a\n01/13/2024, 10:00 - Alice: b\n");
    assert_eq!(c.date_order, DateOrder::MonthFirst);
    assert!(!c.date_order_guessed);
    assert_eq!(at(c.messages[0].sent_at), "2024-01-02 10:00:00");
}

#[test]
fn chronology_decides_when_every_number_is_12_or_less() {
    // Day first would put 2 January after 1 February; month first reads in order.
    let c = chat("01/02/2024, 10:00 - Alice: a\n02/01/2024, 10:00 - Alice: b\n");
    assert_eq!(c.date_order, DateOrder::MonthFirst);
    assert!(!c.date_order_guessed);
    assert_eq!(at(c.messages[1].sent_at), "2024-02-01 10:00:00");

    // And the other way round.
    let c = chat("02/01/2024, 10:00 - Alice: a\n01/02/2024, 10:00 - Alice: b\n");
    assert_eq!(c.date_order, DateOrder::DayFirst);
    assert!(!c.date_order_guessed);
}

#[test]
fn undecidable_dates_are_read_day_first_and_flagged() {
    let c = chat("05/05/2024, 10:00 - Alice: a\n05/05/2024, 10:01 - Alice: b\n");
    assert_eq!(c.date_order, DateOrder::DayFirst);
    assert!(c.date_order_guessed);

    let c = chat("03/04/2024, 10:00 - Alice: a\n");
    assert_eq!(c.date_order, DateOrder::DayFirst);
    assert!(c.date_order_guessed);
    assert_eq!(at(c.messages[0].sent_at), "2024-04-03 10:00:00");
}

#[test]
fn contradicting_lines_are_refused_naming_both() {
    let export = "13/01/2024, 10:00 - Alice: a\n\
                  14/01/2024, 10:00 - Alice: b\n\
                  more text\n\
                  01/14/2024, 10:00 - Alice: c\n";
    assert_eq!(
        parse(export.as_bytes(), None),
        Err(ImportError::DateOrderConflict {
            line: 4,
            earlier_line: 1
        })
    );
    let export = "2024-01-13, 10:00 - Alice: a\n13-01-2024, 10:00 - Alice: b\n";
    assert_eq!(
        parse(export.as_bytes(), None),
        Err(ImportError::DateOrderConflict {
            line: 2,
            earlier_line: 1
        })
    );
    let export =
        "[01/02/2024, 10:00:00] A: a\n[01/13/2024, 10:00:00] A: b\n[13/01/2024, 10:00:00] A: c\n";
    assert_eq!(
        parse(export.as_bytes(), None),
        Err(ImportError::DateOrderConflict {
            line: 3,
            earlier_line: 2
        })
    );
    let e = parse(export.as_bytes(), None).unwrap_err();
    assert_eq!(e.code(), "import_date_order_conflict");
    assert!(e.to_string().contains("Line 3") && e.to_string().contains("line 2"));
}

#[test]
fn a_chosen_order_is_used_as_is() {
    let export = "05/06/2024, 10:00 - Alice: a\n";
    let c = parse(export.as_bytes(), Some(DateOrder::MonthFirst)).unwrap();
    assert_eq!(c.date_order, DateOrder::MonthFirst);
    assert!(!c.date_order_guessed);
    assert_eq!(at(c.messages[0].sent_at), "2024-05-06 10:00:00");

    // Even against the chronology the parser would have preferred.
    let export = "01/02/2024, 10:00 - Alice: a\n02/01/2024, 10:00 - Alice: b\n";
    let c = parse(export.as_bytes(), Some(DateOrder::DayFirst)).unwrap();
    assert_eq!(at(c.messages[1].sent_at), "2024-01-02 10:00:00");

    // Year first with two-digit years exists only when chosen.
    let c = parse(b"24-01-31, 10:00 - Alice: a\n", Some(DateOrder::YearFirst)).unwrap();
    assert_eq!(at(c.messages[0].sent_at), "2024-01-31 10:00:00");
}

#[test]
fn a_chosen_order_refuses_the_first_date_that_does_not_fit() {
    let export = "05/06/2024, 10:00 - Alice: a\n31/12/2024, 10:00 - Alice: b\n";
    assert_eq!(
        parse(export.as_bytes(), Some(DateOrder::MonthFirst)),
        Err(ImportError::Malformed {
            line: 2,
            reason: MalformedReason::DateDoesNotFit(DateOrder::MonthFirst)
        })
    );
    assert_eq!(
        parse(b"2024-01-31, 10:00 - A: a\n", Some(DateOrder::DayFirst)),
        Err(ImportError::Malformed {
            line: 1,
            reason: MalformedReason::DateDoesNotFit(DateOrder::DayFirst)
        })
    );
    // A date that exists in no order is said to be so, chosen order or not.
    for export in [
        &b"30/02/2024, 10:00 - A: a\n"[..],
        b"30/02/24, 10:00 - A: a\n",
    ] {
        assert_eq!(
            parse(export, Some(DateOrder::DayFirst)),
            Err(ImportError::Malformed {
                line: 1,
                reason: MalformedReason::NoSuchDate
            })
        );
    }
}

#[test]
fn two_digit_years_are_this_century_and_leap_days_are_checked() {
    let c = chat("29/02/24, 10:00 - A: leap\n");
    assert_eq!(at(c.messages[0].sent_at), "2024-02-29 10:00:00");
    assert_eq!(
        parse(b"29/02/23, 10:00 - A: not leap\n", None),
        Err(ImportError::Malformed {
            line: 1,
            reason: MalformedReason::NoSuchDate
        })
    );
    let c = chat("31/12/99, 23:59 - A: a\n");
    assert_eq!(c.messages[0].sent_at.year(), 2099);
}
