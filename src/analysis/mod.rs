//! The analysis: facts per block, then rules over the facts.
//!
//! Pure functions over a [`Document`]: no LSP types, no I/O, no panics on any text. Block facts
//! are memoised by the block's content hash in an [`Analyzer`], so re-analysing after an edit
//! re-reads only the blocks that changed.

pub mod ascii_regex;
pub mod backtrack;
pub mod completion;
pub mod coverage;
pub mod directives;
pub mod extract;
pub mod facts;
pub mod finding;
pub mod fixes;
pub mod fold;
pub mod hints;
pub mod hover;
pub mod language;
pub mod lexicon;
pub mod name_search;
pub mod outline;
pub mod pattern;
pub mod references;
pub mod rules;
pub mod tokens;
pub mod word_search;

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::document::Document;
use crate::knowledge;
use crate::knowledge::processors::Processor;
use extract::BlockFacts;
pub use facts::DocumentFacts;
pub use finding::{Finding, Severity};
pub use language::Language;
use outline::Outline;

/// How to analyse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The language to read the document in; `None` detects it.
    pub language: Option<Language>,
    /// The language of messages; `None` uses the document's.
    pub message_language: Option<Language>,
    /// Rules turned off or given another severity, by rule id.
    pub rules: std::collections::BTreeMap<String, RuleSetting>,
    /// The organisation's own processors, recognised beside the shipped knowledge base.
    pub processors: Arc<Vec<Processor>>,
}

/// What the configuration says about one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    /// Not run.
    Off,
    /// Run with this severity.
    Severity(Severity),
}

/// The result of analysing a document.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The facts of the whole document.
    pub facts: DocumentFacts,
    /// The findings, ordered by position.
    pub findings: Vec<Finding>,
    /// The outline the facts were read from.
    pub outline: Outline,
    /// The directives written in the document.
    pub directives: directives::Directives,
    /// The organisation's own processors the analysis knew.
    pub own_processors: Arc<Vec<Processor>>,
}

impl Analysis {
    /// The processor a mention's index refers to (shipped or the organisation's own).
    pub fn processor(&self, index: usize) -> Option<&Processor> {
        knowledge::processors::lookup(index, &self.own_processors)
    }
}

/// The least text of new blocks worth reading on two threads: about a millisecond of work,
/// against tens of microseconds to start the second thread. A keystroke changes one block and
/// stays below it.
const PARALLEL_EXTRACT_MIN_BYTES: usize = 4096;

/// Analyses documents, remembering block facts between runs.
#[derive(Debug, Default)]
pub struct Analyzer {
    generation: u64,
    markers: FxHashMap<u64, (u64, [u32; 3])>,
    facts: FxHashMap<(u64, Language), (u64, Arc<BlockFacts>)>,
    /// The matcher for the organisation's own processors, and the list it was built from.
    own: Option<(Arc<Vec<Processor>>, extract::ProcessorMatcher)>,
    /// Block facts with the organisation's processors added, for blocks that name one.
    own_facts: FxHashMap<(u64, Language), (u64, Arc<BlockFacts>)>,
    /// Hashes of blocks known to hold no directive.
    clean_blocks: rustc_hash::FxHashSet<u64>,
}

impl Analyzer {
    /// A new analyzer with an empty memo.
    pub fn new() -> Analyzer {
        Analyzer::default()
    }

    /// Analyses `document`, re-reading only blocks not seen before.
    pub fn analyze(&mut self, document: &Document, options: &Options) -> Analysis {
        self.generation += 1;
        let generation = self.generation;
        let format = document.format();
        let directives = directives::find_remembering(document, &mut self.clean_blocks);
        let blocks: Vec<_> = document
            .blocks()
            .filter(|b| outline::is_read(b.kind, format))
            .filter(|b| !directives.is_directive_block(&b.range))
            .collect();

        let language = match directives.language.or(options.language) {
            Some(language) => language,
            None => {
                let mut counts = [0u32; 3];
                for block in &blocks {
                    let entry = self.markers.entry(block.hash).or_insert_with(|| {
                        (
                            generation,
                            extract::marker_counts(&document.slice(block.content.clone())),
                        )
                    });
                    entry.0 = generation;
                    for (total, n) in counts.iter_mut().zip(entry.1) {
                        *total += n;
                    }
                }
                language::detect(counts)
            }
        };

        self.extract_new_blocks(document, &blocks, language, generation);
        let with_facts: Vec<_> = blocks
            .into_iter()
            .map(|block| {
                let entry = self.facts.entry((block.hash, language)).or_insert_with(|| {
                    (
                        generation,
                        Arc::new(extract::extract(
                            &document.slice(block.content.clone()),
                            language,
                        )),
                    )
                });
                entry.0 = generation;
                let facts = Arc::clone(&entry.1);
                (block, facts)
            })
            .collect();
        let with_facts =
            self.add_own_processors(document, with_facts, language, options, generation);
        let live = with_facts.len();
        let outline = outline::build(with_facts, format);
        let facts = facts::gather(&outline, language);
        let findings = rules::run(
            &facts,
            options.message_language.unwrap_or(language),
            &options.processors,
        )
        .into_iter()
        .filter(|f| !directives.silences(f.rule, &f.range))
        .filter_map(|f| match options.rules.get(f.rule) {
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::Severity(severity)) => Some(f.with_severity(*severity)),
            None => Some(f),
        })
        .collect();

        // Forget blocks that are gone once the memo is much larger than the document.
        if self.facts.len() > 2 * live + 256 {
            self.facts.retain(|_, (seen, _)| *seen == generation);
            self.own_facts.retain(|_, (seen, _)| *seen == generation);
            self.clean_blocks.clear();
            self.markers.retain(|_, (seen, _)| *seen == generation);
        }
        Analysis {
            facts,
            findings,
            outline,
            directives,
            own_processors: Arc::clone(&options.processors),
        }
    }

    /// Reads the facts of the blocks not in the memo yet, on two threads when there is much to
    /// read (a document just opened or pasted in).
    fn extract_new_blocks(
        &mut self,
        document: &Document,
        blocks: &[crate::document::Block],
        language: Language,
        generation: u64,
    ) {
        let mut seen = rustc_hash::FxHashSet::default();
        let new: Vec<(u64, std::borrow::Cow<'_, str>)> = blocks
            .iter()
            .filter(|b| !self.facts.contains_key(&(b.hash, language)) && seen.insert(b.hash))
            .map(|b| (b.hash, document.slice(b.content.clone())))
            .collect();
        let extracted = crate::parallel::map(
            &new,
            |(_, text)| text.len(),
            PARALLEL_EXTRACT_MIN_BYTES,
            |(_, text)| extract::extract(text, language),
        );
        for ((hash, _), facts) in new.iter().zip(extracted) {
            self.facts
                .entry((*hash, language))
                .or_insert_with(|| (generation, Arc::new(facts)));
        }
    }

    /// Adds mentions of the organisation's own processors to the blocks that name them.
    fn add_own_processors(
        &mut self,
        document: &Document,
        blocks: Vec<(crate::document::Block, Arc<BlockFacts>)>,
        language: Language,
        options: &Options,
        generation: u64,
    ) -> Vec<(crate::document::Block, Arc<BlockFacts>)> {
        if options.processors.is_empty() {
            return blocks;
        }
        let current = self
            .own
            .as_ref()
            .is_some_and(|(list, _)| *list == options.processors);
        if !current {
            let base = knowledge::processors::shipped().len();
            self.own = Some((
                Arc::clone(&options.processors),
                extract::ProcessorMatcher::new(&options.processors, base),
            ));
            self.own_facts.clear();
        }
        let Some((_, matcher)) = &self.own else {
            return blocks;
        };
        let own_facts = &mut self.own_facts;
        blocks
            .into_iter()
            .map(|(block, facts)| {
                let entry = own_facts.entry((block.hash, language)).or_insert_with(|| {
                    let text = document.slice(block.content.clone());
                    let mentions = extract::extract_processors(&text, language, matcher);
                    let merged = if mentions.is_empty() {
                        Arc::clone(&facts)
                    } else {
                        let mut merged = (*facts).clone();
                        for mention in mentions {
                            let overlaps = merged.processors.iter().any(|p| {
                                p.range.start < mention.range.end
                                    && mention.range.start < p.range.end
                            });
                            if !overlaps {
                                merged.processors.push(mention);
                            }
                        }
                        merged.processors.sort_by_key(|p| p.range.start);
                        Arc::new(merged)
                    };
                    (generation, merged)
                });
                entry.0 = generation;
                (block, Arc::clone(&entry.1))
            })
            .collect()
    }
}

/// Compiles the lexicon of the language `text` seems to be written in, so that a first
/// analysis of it finds the patterns ready: for a background thread while the document is
/// parsed. Only a warm-up; the analysis decides the language itself.
pub fn prepare_for_text(text: &str) {
    lexicon::lexicon(language::detect(extract::marker_counts(text))).compile_all();
}

/// Analyses a document once, without a memo.
pub fn analyze(document: &Document, options: &Options) -> Analysis {
    Analyzer::new().analyze(document, options)
}
