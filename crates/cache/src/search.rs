//! The search indexes' text and the search box's query. What a desk types is not what Buzz-In
//! stores: a UAE phone is said "055 100 0052" and stored "+971551000052", a pass number is read
//! "10011" and stored "WP-010011". So each phone is indexed in its national, international and
//! last-seven-digit forms, each pass number also without its leading zeros, and a typed phone
//! is joined into one number before it is looked up. Names are found as people type them too:
//! Arabic folded ([`ARABIC_FOLDS`]: the alef and hamza forms, ة/ه, ى/ي, tatweel and short
//! vowels) in the index and the query alike, "ال" and the space in "عبد …" optional, and common
//! Latin spellings of Arabic names read as one ([`LATIN_NAMES`]). A cache indexed by an older
//! text is re-indexed when it opens ([`SEARCH_TEXT_VERSION`]).

use std::sync::LazyLock;

/// The version of the search text below; a cache whose indexes were built by another is
/// re-indexed at open.
pub(crate) const SEARCH_TEXT_VERSION: i64 = 4;

/// Arabic letters written more than one way, and what each is read as; `""` drops it. The
/// same table folds the index (in SQL) and the query (in Rust).
pub const ARABIC_FOLDS: &[(char, &str)] = &[
    ('أ', "ا"),
    ('إ', "ا"),
    ('آ', "ا"),
    ('ٱ', "ا"),
    ('ؤ', "و"),
    ('ئ', "ي"),
    ('ة', "ه"),
    ('ى', "ي"),
    ('ـ', ""),
    // Short vowels and marks (fathatan … sukun): rarely typed, sometimes stored.
    ('\u{064B}', ""),
    ('\u{064C}', ""),
    ('\u{064D}', ""),
    ('\u{064E}', ""),
    ('\u{064F}', ""),
    ('\u{0650}', ""),
    ('\u{0651}', ""),
    ('\u{0652}', ""),
];

/// Common Latin spellings of Arabic names, each read as the first of its row (a small table, not
/// a transliterator: the spellings desks meet on UAE documents).
pub const LATIN_NAMES: &[&[&str]] = &[
    &[
        "mohammed", "mohammad", "muhammad", "mohamed", "muhammed", "mohamad", "mohd",
    ],
    &["ahmed", "ahmad"],
    &["abdul", "abdel", "abdal", "abdol"],
    &["abdullah", "abdallah"],
    &["hussain", "hussein", "husain", "hossain", "husein"],
    &["hassan", "hasan"],
    &["khalid", "khaled"],
    &["yousef", "yusuf", "youssef", "yousuf", "yusef"],
    &["omar"],
    &["ali", "aly"],
    &["mahmoud", "mahmood", "mahmud"],
    &["mustafa", "mostafa", "moustafa"],
    &["ibrahim", "ebrahim"],
    &["saeed", "said", "saed"],
    &["rashid", "rashed"],
    &["nasser", "nasir", "naser"],
    &["faisal", "faysal"],
    &["hamad", "hamed"],
];

/// A text with [`ARABIC_FOLDS`] applied.
fn fold(text: &str) -> String {
    let mut f = String::with_capacity(text.len());
    for c in text.chars() {
        match ARABIC_FOLDS.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => f.push_str(to),
            None => f.push(c),
        }
    }
    f
}

/// A Latin word in the first spelling of its row of [`LATIN_NAMES`], lower-cased.
fn latin(word: &str) -> String {
    let lower = word.to_lowercase();
    LATIN_NAMES
        .iter()
        .find(|row| row.contains(&lower.as_str()))
        .map_or(lower, |row| row[0].to_owned())
}

/// The forms a contractor's name and company are also found by, beside the stored text (the
/// `forms` column, made here once per contractor): each Arabic text folded, without "ال" (so
/// "نعيمي" finds "النعيمي"), with "عبد …" joined ("عبدالله") and split ("عبد له" from
/// "عبدالله"); the name's Latin words in their first spellings. The copies without "ال" also
/// lose it inside words: extra words, never a lost match.
pub(crate) fn name_forms(name: &str, company: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for text in [name, company] {
        if text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
            let f = fold(text);
            out.push(f.replace("ال", ""));
            out.push(f.replace("عبد ", "عبد"));
            out.push(f.replace("عبدال", "عبد ال").replace("ال", ""));
            out.push(f);
        }
    }
    let words: Vec<String> = name.split_whitespace().map(latin).collect();
    let spelled = words.join(" ");
    if spelled != name.to_lowercase() {
        out.push(spelled);
    }
    out.join(" ")
}

/// The `sync_state` key that holds the version the indexes were built by.
pub(crate) const SEARCH_TEXT_KEY: &str = "search_text_version";

/// A phone column's digits: `+971 55-100 0052` → `971551000052`.
fn digits(col: &str) -> String {
    let mut d = format!("coalesce({col}, '')");
    for c in ["+", " ", "-", "(", ")", "."] {
        d = format!("replace({d}, '{c}', '')");
    }
    d
}

/// The forms a phone is found by, beside the stored text: its digits, its national forms
/// (`0551000052`, `551000052`) when it is a UAE number, and its last seven digits.
fn phone_forms(col: &str) -> String {
    let d = digits(col);
    format!(
        "{d} || ' ' || CASE WHEN {d} LIKE '971%' THEN '0' || substr({d}, 4) || ' ' || substr({d}, 4) \
         WHEN {d} LIKE '00971%' THEN '0' || substr({d}, 6) || ' ' || substr({d}, 6) ELSE '' END \
         || ' ' || CASE WHEN length({d}) > 7 THEN substr({d}, -7) ELSE '' END"
    )
}

/// A pass number's digits without their leading zeros: `WP-010011` → `10011`.
fn pass_digits(col: &str) -> String {
    format!("ltrim(substr({col}, instr({col}, '-') + 1), '0')")
}

/// The search text of contractors: name, company, phone (in its forms), email and Salesforce id.
pub(crate) static CONTRACTOR_SEARCH_INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO contractor_search (rowid, text) SELECT rowid, \
         name || ' ' || company || ' ' || phone || ' ' || email || ' ' || salesforce_id || ' ' || {} \
         || ' ' || forms FROM contractors",
        phone_forms("phone")
    )
});

/// The search text of permits: pass number (also without its zeros), unit, job, representative
/// (with its name forms), and the contractor's name, company and phone (in its forms).
pub(crate) static PERMIT_SEARCH_INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO permit_search (rowid, text) SELECT p.rowid, \
         p.pass_number || ' ' || {} || ' ' || p.flat_id || ' ' || p.job || ' ' || p.representative \
         || ' ' || p.representative_forms || ' ' || coalesce(c.name, '') || ' ' || coalesce(c.company, '') || ' ' || \
         coalesce(c.phone, '') || ' ' || {} || ' ' || coalesce(c.forms, '') \
         FROM permits p LEFT JOIN contractors c ON c.id = p.contractor_id",
        pass_digits("p.pass_number"),
        phone_forms("c.phone")
    )
});

/// Whether `word` is part of a number as people write one: digits, `+`, `-`, parentheses.
fn numeric(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.'))
}

/// A number typed in pieces (`+971 55 100 0052`, `055-100-0052`, `00971551000052`) as the one
/// token the index holds: its digits, `00` dropped before a country code.
fn joined_number(words: &[&str]) -> String {
    let d: String = words
        .iter()
        .flat_map(|w| w.chars())
        .filter(char::is_ascii_digit)
        .collect();
    match d.strip_prefix("00") {
        Some(rest) if rest.len() >= 9 => rest.to_owned(),
        _ => d,
    }
}

/// The fewest digits a number typed in pieces has to have to be read as one (a phone's last
/// seven): fewer, and the pieces stay separate words (`0101 5`).
const JOINED_MIN_DIGITS: usize = 7;

/// A typed word as the index holds it: Arabic folded, a leading "ال" dropped (the index holds
/// every name without it too), a known Latin spelling in its first form.
fn word_form(word: &str) -> String {
    let mut w = fold(word);
    if let Some(rest) = w.strip_prefix("ال")
        && rest.chars().count() >= 2
    {
        w = rest.to_owned();
    }
    let known = LATIN_NAMES
        .iter()
        .any(|row| row.contains(&w.to_lowercase().as_str()));
    if known { latin(&w) } else { w }
}

/// A search box's text as an FTS5 query: every word must match as a prefix. Quotes make each
/// word a literal, so operators and punctuation in the input cannot change the query. A number
/// typed in pieces is one word.
pub(crate) fn fts_query(input: &str) -> Option<String> {
    let words: Vec<&str> = input.split_whitespace().collect();
    let mut terms: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let run = words[i..].iter().take_while(|w| numeric(w)).count();
        let joined = (run > 0).then(|| joined_number(&words[i..i + run]));
        match joined {
            Some(n) if n.len() >= JOINED_MIN_DIGITS || (run == 1 && !n.is_empty()) => {
                terms.push(n);
                i += run;
            }
            _ => {
                terms.push(word_form(&words[i].replace('"', "")));
                i += 1;
            }
        }
    }
    let terms: Vec<String> = terms
        .into_iter()
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn search_text_becomes_quoted_prefix_terms() {
        assert_eq!(
            fts_query("ahmed WP-0023").as_deref(),
            Some("\"ahmed\"* \"WP-0023\"*")
        );
        assert_eq!(fts_query("  \"  ").as_deref(), None);
        assert_eq!(
            fts_query("a OR b NEAR(c)").as_deref(),
            Some("\"a\"* \"OR\"* \"b\"* \"NEAR(c)\"*")
        );
        assert_eq!(fts_query("محمد").as_deref(), Some("\"محمد\"*"));
    }

    #[test]
    fn a_typed_word_is_read_as_the_index_holds_it() {
        for (typed, word) in [
            ("أحمد", "احمد"),
            ("إبراهيم", "ابراهيم"),
            ("فاطمة", "فاطمه"),
            ("مصطفى", "مصطفي"),
            ("محـمد", "محمد"),
            ("النعيمي", "نعيمي"),
            ("Mohammed", "mohammed"),
            ("MUHAMMAD", "mohammed"),
            ("Yusuf", "yousef"),
            ("Smith", "Smith"),
        ] {
            assert_eq!(
                fts_query(typed).as_deref(),
                Some(format!("\"{word}\"*").as_str()),
                "{typed}"
            );
        }
    }

    #[test]
    fn a_number_typed_in_pieces_is_one_word() {
        for (typed, word) in [
            ("+971 55 100 0052", "971551000052"),
            ("055 100 0052", "0551000052"),
            ("055-100-0052", "0551000052"),
            ("00971551000052", "971551000052"),
            ("(055) 1000052", "0551000052"),
            ("0551000052", "0551000052"),
            ("10011", "10011"),
        ] {
            assert_eq!(
                fts_query(typed).as_deref(),
                Some(format!("\"{word}\"*").as_str()),
                "{typed}"
            );
        }
        // Short numbers stay apart: a unit and a floor, say.
        assert_eq!(fts_query("0101 5").as_deref(), Some("\"0101\"* \"5\"*"));
        assert_eq!(
            fts_query("ahmed 055 100 0052").as_deref(),
            Some("\"ahmed\"* \"0551000052\"*")
        );
    }
}
