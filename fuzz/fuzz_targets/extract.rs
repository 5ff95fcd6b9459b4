//! Fuzz target: any bytes that are UTF-8 go through the extractor; it must not panic and every
//! extraction must validate (spans inside the text, on character boundaries, ids consistent).
//! Run with `cargo +nightly fuzz run extract` from the crate root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newskg::corpus::Article;
use newskg::extract::{extract, Lexicon};
use std::sync::OnceLock;

static LEXICON: OnceLock<Lexicon> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lexicon = LEXICON.get_or_init(|| Lexicon::builtin().expect("built-in lexicon"));
    let article = Article {
        id: "fuzz".into(),
        text: text.to_owned(),
        ..Default::default()
    };
    for x in extract(&article, lexicon) {
        if let Err(e) = x.validate() {
            panic!("invalid extraction: {e}");
        }
    }
});
