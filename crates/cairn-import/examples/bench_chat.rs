//! Benchmark helper for `make bench`: writes a WhatsApp export of N messages, imports
//! it into a new vault (insecure test KDF, so the figure is the import's own), then
//! times full-text searches over it in the same process.
//!
//! `cargo run --release -p cairn-import --example bench_chat -- DIR N`

use std::time::Instant;

use cairn_core::{KdfCost, Passphrase, Vault};
use cairn_import::testing::{write, GenMessage, Style};
use cairn_import::whatsapp::{Clock, DateOrder, MessageKind, Platform};
use time::{Duration, PrimitiveDateTime};

/// The commonest words of the chat, most common first; the rest of its vocabulary is
/// made-up words. Words are drawn with Zipf's law (the n-th commonest is 1/n as
/// likely as the first), as in real writing.
const WORDS: &[&str] = &[
    "you", "I", "me", "the", "to", "are", "where", "now", "answer", "your", "at", "home", "come",
    "know", "why", "not", "did", "tonight", "or", "else", "stop", "phone", "reply", "ignoring",
    "mum's", "house", "car", "outside", "work", "watching",
];
/// Distinct words in the chat's vocabulary.
const VOCABULARY: usize = 5_000;

/// A made-up word for vocabulary rank `n` (past [`WORDS`]), e.g. `kapoti`.
fn made_up(n: usize) -> String {
    const SYL: &[&str] = &[
        "ka", "po", "ti", "mu", "re", "lo", "sa", "ne", "vi", "du", "ge", "ho",
    ];
    let mut n = n;
    let mut w = String::new();
    loop {
        w.push_str(SYL[n % SYL.len()]);
        n /= SYL.len();
        if n == 0 {
            break;
        }
    }
    w
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: bench_chat DIR N";
    let dir = std::path::PathBuf::from(args.get(1).ok_or(usage)?);
    let n: usize = args.get(2).ok_or(usage)?.parse()?;
    std::fs::create_dir_all(&dir)?;

    // A chronological chat between two people, 2 to 14 words a message.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut at = PrimitiveDateTime::new(
        time::Date::from_calendar_date(2023, time::Month::January, 1)?,
        time::Time::from_hms(8, 0, 0)?,
    );
    let vocabulary: Vec<String> = (0..VOCABULARY)
        .map(|r| WORDS.get(r).map_or_else(|| made_up(r), |w| w.to_string()))
        .collect();
    // Cumulative Zipf weights, to draw a rank with one random number.
    let mut cumulative = Vec::with_capacity(VOCABULARY);
    let mut total = 0.0;
    for r in 0..VOCABULARY {
        total += 1.0 / (r + 1) as f64;
        cumulative.push(total);
    }
    let mut msgs = Vec::with_capacity(n);
    for _ in 0..n {
        at += Duration::minutes((next() % 20) as i64);
        let words = 2 + (next() % 13) as usize;
        let text: Vec<&str> = (0..words)
            .map(|_| {
                let x = (next() >> 11) as f64 / (1u64 << 53) as f64 * total;
                let r = cumulative.partition_point(|&c| c < x).min(VOCABULARY - 1);
                vocabulary[r].as_str()
            })
            .collect();
        msgs.push(GenMessage {
            sent_at: at,
            sender: Some(if next() % 2 == 0 { "Sam" } else { "Me" }.to_string()),
            text: text.join(" "),
            kind: MessageKind::Text,
        });
    }
    let style = Style::new(Platform::Android, Clock::H24, DateOrder::DayFirst);
    let chat = dir.join("WhatsApp Chat with Sam.txt");
    std::fs::write(&chat, write(&msgs, style))?;
    let bytes = std::fs::metadata(&chat)?.len();

    let vault_dir = dir.join("vault");
    let pass = Passphrase::new("quartz lantern benchmark orbits seven");
    let (mut vault, _code) = Vault::init(&vault_dir, &pass, KdfCost::InsecureTestOnly)?;
    let t = Instant::now();
    let done =
        cairn_import::vault::whatsapp(&mut vault, &chat, None, &cairn_import::progress::quiet)?;
    let import_s = t.elapsed().as_secs_f64();

    let mut searches = Vec::new();
    // A rare word, words she would look for, two together, the commonest word of
    // all (in a third of the messages), and the first letters of a word as she types.
    for q in [
        "kapoti",
        "ignoring",
        "mum's house",
        "car outside",
        "you",
        "whe",
    ] {
        let mut best = f64::MAX;
        let mut hits = 0;
        for _ in 0..5 {
            let t = Instant::now();
            hits = vault.search_ranked(q, 50)?.hits.len();
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        }
        // At most RANKED_MATCHES: past that, only the newest are ranked.
        let ranked = vault.search_ranked(q, usize::MAX >> 1)?.hits.len();
        searches.push(format!(
            "{q:?} {best:.1} ms ({hits} shown, {ranked} ranked)"
        ));
    }
    println!(
        "messages={} export_bytes={bytes} import_s={import_s:.2}",
        done.chat.messages
    );
    println!("search (best of 5, the best 50): {}", searches.join("; "));
    Ok(())
}
