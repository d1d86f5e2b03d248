package dev.hearth.lab.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SearchSpaceTest {

    private static SearchSpace training(String yaml) {
        return SearchSpace.forTraining(Spaces.yaml(yaml), "space.yaml");
    }

    private static void fails(String yaml, String... fragments) {
        assertThatThrownBy(() -> training(yaml)).isInstanceOf(TuneException.class).satisfies(e -> {
            for (String f : fragments) {
                assertThat(e.getMessage()).contains(f);
            }
        });
    }

    @Test
    void readsEveryKindOfParameterOverTrainingSettings() {
        SearchSpace s = training("""
                lr: {type: float, low: 1e-4, high: 1.0e-2, log: true}
                model.layers: {type: int, low: 1, high: 6}
                model.dim: {type: int, low: 32, high: 128, step: 32}
                weight_decay: {type: float, low: 0, high: 0.3, step: 0.05}
                model.dropout: {type: float, low: 0.0, high: 0.2}
                batch_size: {type: categorical, choices: [8, 16, "32"]}
                schedule: {type: categorical, choices: [cosine, linear]}
                model.bias: {type: categorical, choices: [true, false]}
                """);
        assertThat(s.params()).hasSize(8);
        assertThat(s.param("lr")).isEqualTo(new Param.FloatParam("lr", 1e-4, 1e-2, true, null, 0));
        assertThat(s.param("model.dim")).isEqualTo(new Param.IntParam("model.dim", 32, 128, 32, false));
        assertThat(((Param.CategoricalParam) s.param("batch_size")).choices()).containsExactly(8L, 16L, 32L);
        assertThat(s.param("model.dim").toValue(100.0)).isEqualTo(96L);
    }

    @Test
    void badSpacesAreErrorsThatNameTheParameter() {
        fails("lr: {type: float, low: 0.01, high: 0.01}", "'lr'", "empty");
        fails("lr: {type: float, low: 0.1, high: 0.01}", "'lr'", "above high");
        fails("model.layers: {type: int, low: 4, high: 2}", "'model.layers'", "above high");
        fails("lr: {type: float, low: 0, high: 0.1, log: true}", "'lr'", "log range needs low > 0");
        fails("learning_rate: {type: float, low: 0.001, high: 0.1}", "'learning_rate'", "unknown setting");
        fails("model: {type: int, low: 1, high: 2}", "'model'", "section");
        fails("model.layers: {type: float, low: 1, high: 4}", "'model.layers'", "whole number", "type: int");
        fails("model.layers: {type: int, low: 1.5, high: 4}", "'model.layers'", "whole number");
        fails("lr: {type: categorical, choices: [0.1, fast]}", "'lr'", "fast", "does not fit");
        fails("schedule: {type: int, low: 1, high: 3}", "'schedule'", "categorical");
        fails("lr: {type: float, low: 0.001, high: 0.1, lg: true}", "'lr'", "unknown field 'lg'");
        fails("lr: {type: real, low: 0.001, high: 0.1}", "'lr'", "float, int or categorical");
        fails("lr: {type: float, high: 0.1}", "'lr'", "low is missing");
        fails("lr: {type: float, low: small, high: 0.1}", "'lr'", "low must be a number");
        fails("model.dim: {type: categorical, choices: []}", "'model.dim'", "non-empty");
        fails("model.dim: {type: categorical, choices: [64]}", "'model.dim'", "single choice");
        fails("model.dim: {type: int, low: 32, high: 128, step: 0}", "'model.dim'", "step");
        fails("lr: {type: float, low: 0.001, high: 0.1, log: true, step: 0.01}", "'lr'", "log");
        fails("lr: 0.1", "'lr'", "mapping");
        assertThatThrownBy(() -> SearchSpace.forTraining(null, "space.yaml")).hasMessageContaining("no params");
        assertThatThrownBy(() -> SearchSpace.forTraining(Spaces.yaml("{}"), "space.yaml"))
                .hasMessageContaining("no parameters");
    }

    @Test
    void studyFilesAreCheckedToo() {
        assertThatThrownBy(() -> StudySpec.read(Spaces.yaml("sampler: bayes\nparams: {}"), "s.yaml"))
                .hasMessageContaining("sampler 'bayes'");
        assertThatThrownBy(() -> StudySpec.read(Spaces.yaml("sampler: {type: tpe, n_startup: 3}"), "s.yaml"))
                .hasMessageContaining("unknown option 'n_startup'");
        assertThatThrownBy(() -> StudySpec.read(Spaces.yaml("pruner: {type: asha, reduction_factor: 1}"), "s.yaml")
                .newPruner()).hasMessageContaining("reduction_factor >= 2");
        assertThatThrownBy(() -> StudySpec.read(Spaces.yaml("direction: lowest"), "s.yaml"))
                .hasMessageContaining("minimize or maximize");
        assertThatThrownBy(() -> StudySpec.read(Spaces.yaml("trials: 5"), "s.yaml"))
                .hasMessageContaining("unknown key 'trials'");
        StudySpec s = StudySpec.read(Spaces.yaml("sampler: {type: tpe, n_startup_trials: 4}\npruner: asha\nseed: 3"),
                "s.yaml");
        assertThat(s.newSampler()).isEqualTo(new TpeSampler(3, 4, 0.1, 24, 1.0));
        assertThat(s.newPruner()).isEqualTo(new SuccessiveHalvingPruner());
        assertThat(s.with("gp", "median", 9L).newSampler()).isEqualTo(new GpSampler(9));
    }
}
