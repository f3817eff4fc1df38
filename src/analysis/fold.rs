//! Folding text for matching: lower case, transliterated to ASCII, with exactly the same byte
//! length as the original, so every match range is also a range of the original text.
//!
//! Lexicon patterns are folded the same way, which lets them match byte by byte with ASCII
//! word boundaries, as small backtracking programs or ASCII regexes (Unicode word boundaries on
//! non-ASCII text would force a regex's slow engine).

/// The ASCII spelling of a two-byte letter, when it has a natural one.
fn letter(c: char) -> Option<&'static str> {
    Some(match c {
        'æ' | 'ä' => "ae",
        'ø' | 'ö' => "oe",
        'å' | 'á' | 'à' | 'â' => "aa",
        'é' | 'è' | 'ê' | 'ë' => "ee",
        'ü' | 'ú' | 'ù' | 'û' => "ue",
        'ó' | 'ò' | 'ô' => "oo",
        'í' | 'ì' | 'î' | 'ï' => "ii",
        'ç' => "cc",
        'ñ' => "nn",
        'ß' => "ss",
        'ð' => "dh",
        'þ' => "th",
        _ => return None,
    })
}

/// Folds `text`: the result is ASCII, lower case, and as long in bytes as `text`.
pub fn fold(text: &str) -> String {
    transliterate(text, true)
}

/// Transliterates `text` to ASCII keeping its case (Æ becomes "AE"), as long in bytes as
/// `text`: for patterns that need capitals (names, addresses) without Unicode matching.
pub fn ascii_cased(text: &str) -> String {
    transliterate(text, false)
}

fn transliterate(text: &str, lower_case: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            // Most of a policy: the same byte, lower-cased when folding.
            out.push(if lower_case {
                c.to_ascii_lowercase()
            } else {
                c
            });
            continue;
        }
        let width = c.len_utf8();
        let mut lower = c.to_lowercase();
        let folded = match (lower.next(), lower.next()) {
            (Some(l), None) if l.len_utf8() == width => l,
            _ => c,
        };
        let upper = !lower_case && folded != c;
        let single = if lower_case { folded } else { c };
        if single.is_ascii() {
            out.push(single);
        } else if let Some(ascii) = letter(folded).filter(|a| a.len() == width) {
            if upper {
                out.push_str(&ascii.to_ascii_uppercase());
            } else {
                out.push_str(ascii);
            }
        } else {
            let filler = if single == '…' {
                '.'
            } else if single.is_alphabetic() {
                'z'
            } else if single.is_numeric() {
                '0'
            } else {
                ' '
            };
            out.extend(std::iter::repeat_n(filler, width));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_byte_length_and_lowercases() {
        for text in [
            "Æøå",
            "Personopplysningene i EØS",
            "😀 «sitat» – ’x’…",
            "İstanbul ẞ",
            "Σ",
            "日本",
        ] {
            let folded = fold(text);
            assert_eq!(folded.len(), text.len(), "{text}");
            assert!(folded.is_ascii());
        }
        assert_eq!(fold("Innsyn i EØS"), "innsyn i eoes");
        assert_eq!(fold("Sletting"), "sletting");
        assert_eq!(ascii_cased("Nordsjø AS, Ålesund"), "Nordsjoe AS, AAlesund");
    }
}
