package dev.hearth.lab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.engine.HearthException;
import dev.hearth.guard.pii.EntityType;
import dev.hearth.guard.pii.Finding;
import dev.hearth.guard.pii.ModelNameRecognizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NameTaggerTrainingTest {
    @Test
    void trainsSavesTheBestEpochAndTheFolderLoadsAsANameModel(@TempDir Path dir) throws Exception {
        NameTaggerTraining.Config c = new NameTaggerTraining.Config(400, 80, 0.4, 12, 16, 3, 16, 1e-2, 2, 0.1, 7);
        List<TabularTraining.EpochResult> seen = new ArrayList<>();
        NameTaggerTraining.Result r = NameTaggerTraining.train(c, dir.resolve("ner"), seen::add);
        assertThat(seen).isEqualTo(r.epochs()).isNotEmpty();
        assertThat(r.bestValidationLoss()).isLessThan(seen.getFirst().validationLoss() + 1e-12)
                .isEqualTo(seen.get(r.bestEpoch() - 1).validationLoss());
        assertThat(seen.getLast().validationLoss()).isLessThan(seen.getFirst().trainLoss());
        JsonNode config = new ObjectMapper().readTree(dir.resolve("ner/config.json").toFile());
        assertThat(config.at("/training/records").asInt()).isEqualTo(400);
        assertThat(config.at("/training/best_epoch").asInt()).isEqualTo(r.bestEpoch());
        ModelNameRecognizer model = ModelNameRecognizer.load(dir.resolve("ner"));
        List<Finding> out = new ArrayList<>();
        model.scan("Thanks to 😀 for the help.", out);
        assertThat(out).allMatch(f -> f.type() == EntityType.PERSON || f.type() == EntityType.LOCATION);
    }

    @Test
    void refusesImpossibleSettings() {
        assertThatThrownBy(() -> new NameTaggerTraining.Config(0, 10, 0.4, 8, 8, 1, 8, 1e-2, 1, 0.1, 1))
                .isInstanceOf(HearthException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new NameTaggerTraining.Config(10, 10, 1.5, 8, 8, 1, 8, 1e-2, 1, 0.1, 1))
                .isInstanceOf(HearthException.class).hasMessageContaining("Chinese share");
        assertThatThrownBy(() -> new NameTaggerTraining.Config(10, 10, 0.4, 8, 8, 1, 8, 0, 1, 0.1, 1))
                .isInstanceOf(HearthException.class).hasMessageContaining("learning rate");
    }
}
