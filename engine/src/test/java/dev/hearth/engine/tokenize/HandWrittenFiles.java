package dev.hearth.engine.tokenize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Small tokenizer.json files written by hand, following Hugging Face's format field for field. */
final class HandWrittenFiles {
    private HandWrittenFiles() {}

    /**
     * GPT-2's layout with a 16-token vocabulary. "hello world" splits into "hello" and " world":
     * h e l l o merges by ranks 0 (h e), 1 (l l), 2 (he ll), 3 (hell o) into "hello" (11);
     * Ġ w o r l d by 4 (Ġ w), 5 (o r), 6 (Ġw or), 7 (l d) into "Ġwor" (14) and "ld" (15).
     */
    static String gpt2(boolean arrayMerges) {
        String merges = arrayMerges
                ? """
                  [["h", "e"], ["l", "l"], ["he", "ll"], ["hell", "o"], ["Ġ", "w"], ["o", "r"], ["Ġw", "or"], ["l", "d"]]"""
                : """
                  ["#version: 0.2", "h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "l d"]""";
        return """
                {
                  "version": "1.0",
                  "truncation": null,
                  "padding": null,
                  "added_tokens": [
                    {
                      "id": 16,
                      "content": "<|endoftext|>",
                      "single_word": false,
                      "lstrip": false,
                      "rstrip": false,
                      "normalized": true,
                      "special": true
                    }
                  ],
                  "normalizer": null,
                  "pre_tokenizer": {
                    "type": "ByteLevel",
                    "add_prefix_space": false,
                    "trim_offsets": true,
                    "use_regex": true
                  },
                  "post_processor": {
                    "type": "ByteLevel",
                    "add_prefix_space": true,
                    "trim_offsets": false,
                    "use_regex": true
                  },
                  "decoder": {
                    "type": "ByteLevel",
                    "add_prefix_space": true,
                    "trim_offsets": true,
                    "use_regex": true
                  },
                  "model": {
                    "type": "BPE",
                    "dropout": null,
                    "unk_token": null,
                    "continuing_subword_prefix": "",
                    "end_of_word_suffix": "",
                    "fuse_unk": false,
                    "byte_fallback": false,
                    "vocab": {
                      "h": 0, "e": 1, "l": 2, "o": 3, "Ġ": 4, "w": 5, "r": 6, "d": 7, "he": 8, "ll": 9,
                      "hell": 10, "hello": 11, "Ġw": 12, "or": 13, "Ġwor": 14, "ld": 15
                    },
                    "merges": MERGES
                  }
                }
                """.replace("MERGES", merges);
    }

    /** The 256 byte tokens in code point order (GPT-2's first 256 ids), then {@code extra} from id 256. */
    static String byteVocab(String... extra) {
        char[] chars = ByteLevelAlphabet.charsInCodePointOrder();
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < chars.length; i++) {
            String c = chars[i] == '"' ? "\\\"" : chars[i] == '\\' ? "\\\\" : String.valueOf(chars[i]);
            entries.add("\"" + c + "\": " + i);
        }
        for (int i = 0; i < extra.length; i++) {
            entries.add("\"" + extra[i] + "\": " + (256 + i));
        }
        return "{" + String.join(", ", entries) + "}";
    }

    /** Qwen2's layout: NFC, Split with Qwen2's regex then ByteLevel without regex, chat special tokens. */
    static String qwen2() {
        return """
                {
                  "version": "1.0",
                  "truncation": null,
                  "padding": null,
                  "added_tokens": [
                    {"id": 259, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 260, "content": "<|im_start|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 261, "content": "<|im_end|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 262, "content": "<tool_call>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": false}
                  ],
                  "normalizer": {"type": "NFC"},
                  "pre_tokenizer": {
                    "type": "Sequence",
                    "pretokenizers": [
                      {
                        "type": "Split",
                        "pattern": {
                          "Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"
                        },
                        "behavior": "Isolated",
                        "invert": false
                      },
                      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}
                    ]
                  },
                  "post_processor": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
                  "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
                  "model": {
                    "type": "BPE",
                    "dropout": null,
                    "unk_token": null,
                    "continuing_subword_prefix": "",
                    "end_of_word_suffix": "",
                    "fuse_unk": false,
                    "byte_fallback": false,
                    "ignore_merges": false,
                    "vocab": VOCAB,
                    "merges": [["Ġ", "t"], ["h", "e"], ["Ġt", "he"]]
                  }
                }
                """.replace("VOCAB", byteVocab("Ġt", "he", "Ġthe"));
    }

    /**
     * Llama 3's layout: Split with Llama 3's regex, ignore_merges (so "Ġhello", in the vocabulary
     * but not reachable by the merges, is one token), and a Sequence post-processor whose
     * TemplateProcessing puts &lt;|begin_of_text|&gt; first.
     */
    static String llama3() {
        return """
                {
                  "version": "1.0",
                  "truncation": null,
                  "padding": null,
                  "added_tokens": [
                    {"id": 258, "content": "<|begin_of_text|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 259, "content": "<|end_of_text|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
                  ],
                  "normalizer": null,
                  "pre_tokenizer": {
                    "type": "Sequence",
                    "pretokenizers": [
                      {
                        "type": "Split",
                        "pattern": {
                          "Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+"
                        },
                        "behavior": "Isolated",
                        "invert": false
                      },
                      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}
                    ]
                  },
                  "post_processor": {
                    "type": "Sequence",
                    "processors": [
                      {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
                      {
                        "type": "TemplateProcessing",
                        "single": [
                          {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                          {"Sequence": {"id": "A", "type_id": 0}}
                        ],
                        "pair": [
                          {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                          {"Sequence": {"id": "A", "type_id": 0}},
                          {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}},
                          {"Sequence": {"id": "B", "type_id": 1}}
                        ],
                        "special_tokens": {
                          "<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [258], "tokens": ["<|begin_of_text|>"]}
                        }
                      }
                    ]
                  },
                  "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
                  "model": {
                    "type": "BPE",
                    "dropout": null,
                    "unk_token": null,
                    "continuing_subword_prefix": null,
                    "end_of_word_suffix": null,
                    "fuse_unk": false,
                    "byte_fallback": false,
                    "ignore_merges": true,
                    "vocab": VOCAB,
                    "merges": ["h e"]
                  }
                }
                """.replace("VOCAB", byteVocab("he", "Ġhello"));
    }

    /** bert-base-uncased's layout with a 20-token vocabulary. */
    static String bert(int maxInputCharsPerWord) {
        List<String> vocab = Arrays.asList("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "un", "##aff",
                "##able", ",", "!", "你", "好", "hello", "he", "##llo", "a", "##a", "cafe", "'");
        StringBuilder v = new StringBuilder("{");
        for (int i = 0; i < vocab.size(); i++) {
            v.append(i == 0 ? "" : ", ").append('"').append(vocab.get(i)).append("\": ").append(i);
        }
        v.append('}');
        return """
                {
                  "version": "1.0",
                  "truncation": null,
                  "padding": null,
                  "added_tokens": [
                    {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 2, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": 4, "content": "[MASK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
                  ],
                  "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
                  "pre_tokenizer": {"type": "BertPreTokenizer"},
                  "post_processor": {
                    "type": "TemplateProcessing",
                    "single": [
                      {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                      {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "[SEP]", "type_id": 0}}
                    ],
                    "pair": [
                      {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                      {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                      {"Sequence": {"id": "B", "type_id": 1}},
                      {"SpecialToken": {"id": "[SEP]", "type_id": 1}}
                    ],
                    "special_tokens": {
                      "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                      "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}
                    }
                  },
                  "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
                  "model": {
                    "type": "WordPiece",
                    "unk_token": "[UNK]",
                    "continuing_subword_prefix": "##",
                    "max_input_chars_per_word": MAX,
                    "vocab": VOCAB
                  }
                }
                """.replace("VOCAB", v).replace("MAX", String.valueOf(maxInputCharsPerWord));
    }
}
