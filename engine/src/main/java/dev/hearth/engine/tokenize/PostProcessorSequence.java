package dev.hearth.engine.tokenize;

import java.util.List;

/** Post-processors applied in order ({@code "type": "Sequence"}, as Llama 3's ByteLevel + TemplateProcessing). */
public record PostProcessorSequence(List<PostProcessor> processors) implements PostProcessor {
    public PostProcessorSequence {
        processors = List.copyOf(processors);
    }

    @Override
    public int[] apply(int[] ids) {
        for (PostProcessor p : processors) {
            ids = p.apply(ids);
        }
        return ids;
    }
}
