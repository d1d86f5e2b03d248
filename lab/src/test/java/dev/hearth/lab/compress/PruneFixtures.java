package dev.hearth.lab.compress;

import dev.hearth.engine.generate.GenerationConfig;
import dev.hearth.engine.io.ModelFolder;
import dev.hearth.engine.models.Llama;
import dev.hearth.engine.tensor.Rng;
import dev.hearth.engine.tokenize.Tokenizer;
import dev.hearth.lab.data.DatasetPreparation;
import dev.hearth.lab.data.SplitMode;
import dev.hearth.lab.data.TokenDataset;
import dev.hearth.lab.data.TokenizerChoice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A character-level dataset and small Llama folders over its tokenizer, for the pruning tests. */
final class PruneFixtures {
    static final String TEXT = "the quick brown fox jumps over the lazy dog. the dog sleeps in the sun, and the fox"
            + " runs off into the woods where the birds sing. ";

    private PruneFixtures() {}

    /** A prepared dataset of {@code text} repeated, char tokenizer, 10% val at the tail. */
    static Path dataset(Path tmp, String name, String text) throws IOException {
        Path corpus = tmp.resolve(name + ".txt");
        Files.writeString(corpus, text.repeat(60));
        Path dir = tmp.resolve(name);
        new DatasetPreparation(DatasetPreparation.Config.of(List.of(corpus), dir, name)
                .withTokenizer(new TokenizerChoice.TrainChars()).withSplit(SplitMode.TAIL, 0.1))
                .run(DatasetPreparation.Listener.NONE);
        return dir;
    }

    static Tokenizer tokenizerOf(Path dataset) {
        try (TokenDataset d = TokenDataset.open(dataset)) {
            return d.tokenizer();
        }
    }

    /** A random Llama over the dataset's tokenizer: 2 layers, width 32, 4 heads, {@code kvHeads}, MLP width {@code hidden}. */
    static Path model(Path tmp, String name, Path dataset, int kvHeads, int hidden, boolean qkvBias) {
        Tokenizer tok = tokenizerOf(dataset);
        Llama m = new Llama(new Llama.Config(tok.vocabSize(), 32, 2, 4, kvHeads, 32, hidden, 10000f, 1e-6f, false,
                qkvBias, false, 0f), new Rng(7));
        Path dir = tmp.resolve(name);
        ModelFolder.save(dir, m, tok, new GenerationConfig(-1, List.of(), false, 1.0, 0, 1.0, 1.0, 8), Map.of());
        return dir;
    }

    static Pruner.Options options(PruneMethod method, double sparsity, Path calibration) {
        return new Pruner.Options(method, sparsity, null, null, calibration, 8, null, 0, 4, 3e-4, 256, 0);
    }
}
