//! The title of a course page, and page text made safe to print.
//!
//! BeautifulSoup's `select_one('.right-side h1')` (and `scraper`, in the examples) builds the
//! whole tree of the page first, and a tree builder's work grows with the square of the nesting
//! depth: 200,000 nested `<div>`s (1 MB) took 94 s. So the lab reads the page as a stream of tags
//! with html5ever's tokenizer (the first stage of the same parser: entities decoded, linear
//! time), stops at the title's end, and gives up at a deadline (a debug build reads ~200 KB/s).

use std::cell::{Cell, RefCell};
use std::time::Instant;

use html5ever::local_name;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// What the course prints for a page without a title.
pub const NO_COURSE: &str = "There is no course";

/// Where the reader is in the page. A simplification, said openly: the title is the first
/// `h1` after the start of the first `.right-side` element, whether or not it is still open.
#[derive(Default)]
enum Place {
    #[default]
    Outside,
    RightSide,
    Title(String),
    Done(String),
    Late,
}

struct TitleSink {
    place: RefCell<Place>,
    deadline: Option<Instant>,
    tokens: Cell<u32>,
}

/// The page took longer to read than its deadline.
#[derive(Debug)]
pub struct Late;

impl TokenSink for TitleSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut place = self.place.borrow_mut();
        self.tokens.set(self.tokens.get().wrapping_add(1));
        if self.tokens.get().is_multiple_of(4096)
            && self.deadline.is_some_and(|d| Instant::now() > d)
        {
            *place = Place::Late;
        }
        let Token::TagToken(tag) = token else {
            if let (Place::Title(text), Token::CharacterTokens(chars)) = (&mut *place, token) {
                text.push_str(&chars);
            }
            return TokenSinkResult::Continue;
        };
        let start = tag.kind == TagKind::StartTag;
        match &mut *place {
            Place::Outside if start => {
                let class = tag
                    .attrs
                    .iter()
                    .find(|a| a.name.local == local_name!("class"));
                if class.is_some_and(|c| c.value.split_whitespace().any(|c| c == "right-side")) {
                    *place = Place::RightSide;
                }
            }
            Place::RightSide if start && tag.name == local_name!("h1") => {
                *place = Place::Title(String::new());
            }
            Place::Title(text) if !start && tag.name == local_name!("h1") => {
                *place = Place::Done(std::mem::take(text));
            }
            _ => {}
        }
        match (&*place, tag.name) {
            // Stop the tokenizer: the rest of the page is not read.
            (Place::Done(_) | Place::Late, _) => TokenSinkResult::Script(()),
            // What the tree builder would tell the tokenizer: these hold text, not tags.
            (_, local_name!("script")) if start => TokenSinkResult::RawData(RawKind::ScriptData),
            (_, local_name!("style") | local_name!("noscript")) if start => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            (_, local_name!("title") | local_name!("textarea")) if start => {
                TokenSinkResult::RawData(RawKind::Rcdata)
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

/// The title in a course page (`.right-side h1`), or `None` if it has none; [`Late`] when the
/// reading is still going at `deadline`.
// BeautifulSoup(html, "html.parser").select_one(".right-side h1").text -> html5ever's tokenizer
pub fn extract_title(html: &str, deadline: Option<Instant>) -> Result<Option<String>, Late> {
    let (place, tokens) = (RefCell::default(), Cell::new(0));
    let sink = TitleSink {
        place,
        deadline,
        tokens,
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let text = match tokenizer.sink.place.into_inner() {
        Place::Done(text) | Place::Title(text) => text,
        Place::Late => return Err(Late),
        _ => return Ok(None),
    };
    // Collapse the whitespace the page's indentation puts around the title.
    let title = clean_text(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    Ok((!title.is_empty()).then_some(title))
}

/// Text from outside (a page, a server's error) made safe to print. Raw, `ESC [2J` clears the
/// reader's screen and U+202E reverses the line: control characters (C0, DEL, C1), bidi marks and
/// controls, U+200B and U+FEFF go. The non-joiner U+200C stays: Persian needs it (`برنامه‌نویسی`).
pub fn clean_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            !c.is_control()
                && !matches!(
                    c,
                    '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}'
                )
                && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}
