package dev.hearth.guard.pii;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A slot of a labelled-text template ({@code {PERSON}}, {@code {PHONE}}, ...): its name, the type
 * its value is labelled with (null: filled but not labelled) and how a value is drawn. Shared by
 * the evaluation generator ({@link SyntheticPii}) and the name model's training text
 * ({@link NerTrainingText}), which draw from different pools.
 */
record SlotTemplate(String name, EntityType type, Function<RandomGenerator, String> value) {

    /** Fills every slot of {@code template} with a drawn value, labelling its span in code points. */
    static LabeledText fill(String id, String template, List<SlotTemplate> slots, RandomGenerator r) {
        StringBuilder text = new StringBuilder();
        List<LabeledText.Span> spans = new ArrayList<>();
        int cp = 0;
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                open = template.length();
            }
            String literal = template.substring(i, open);
            text.append(literal);
            cp += literal.codePointCount(0, literal.length());
            if (open == template.length()) {
                break;
            }
            int close = template.indexOf('}', open);
            String name = template.substring(open, close + 1);
            SlotTemplate slot = slots.stream().filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("unknown slot " + name));
            String value = slot.value().apply(r);
            int len = value.codePointCount(0, value.length());
            if (slot.type() != null) {
                spans.add(new LabeledText.Span(slot.type(), cp, cp + len, 1.0));
            }
            text.append(value);
            cp += len;
            i = close + 1;
        }
        return new LabeledText(id, text.toString(), List.copyOf(spans));
    }
}
