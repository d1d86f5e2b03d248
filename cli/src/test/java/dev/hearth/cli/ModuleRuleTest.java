package dev.hearth.cli;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The one rule between modules (DESIGN.md): each module may use only the modules above it in
 * engine, guard | store, lab, serve, cli, spark — guard and store side by side, neither using the
 * other. This test lives in cli, which sees every module below it.
 */
class ModuleRuleTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.hearth");

    static final ArchRule MODULE_RULE = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .withOptionalLayers(true)
            .layer("engine").definedBy("dev.hearth.engine..")
            .layer("guard").definedBy("dev.hearth.guard..")
            .layer("store").definedBy("dev.hearth.store..")
            .layer("lab").definedBy("dev.hearth.lab..")
            .layer("serve").definedBy("dev.hearth.serve..")
            .layer("cli").definedBy("dev.hearth.cli..")
            .layer("spark").definedBy("dev.hearth.spark..")
            .whereLayer("spark").mayNotBeAccessedByAnyLayer()
            .whereLayer("cli").mayOnlyBeAccessedByLayers("spark")
            .whereLayer("serve").mayOnlyBeAccessedByLayers("cli", "spark")
            .whereLayer("lab").mayOnlyBeAccessedByLayers("serve", "cli", "spark")
            .whereLayer("guard").mayOnlyBeAccessedByLayers("lab", "serve", "cli", "spark")
            .whereLayer("store").mayOnlyBeAccessedByLayers("lab", "serve", "cli", "spark")
            .whereLayer("engine").mayOnlyBeAccessedByLayers("guard", "store", "lab", "serve", "cli", "spark");

    @Test
    void modulesUseOnlyTheModulesAboveThem() {
        MODULE_RULE.check(CLASSES);
    }

    @Test
    void theRuleSeesEveryModuleOnTheClasspath() {
        assertThat(CLASSES.stream().map(c -> c.getPackageName().split("\\.")[2]).distinct())
                .contains("engine", "lab", "cli");
    }

    @Test
    void theRuleCatchesAnEngineClassUsingTheLab() {
        JavaClasses offending = new ClassFileImporter().importClasses(Offender.class, dev.hearth.lab.Workspace.class);
        // Offender is not in dev.hearth.engine, so check the same rule shape on a copy scoped to its package.
        ArchRule rule = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("low").definedBy(Offender.class.getName())
                .layer("lab").definedBy("dev.hearth.lab..")
                .whereLayer("lab").mayNotBeAccessedByAnyLayer();
        assertThat(rule.evaluate(offending).hasViolation()).isTrue();
    }

    /** Uses the lab the way an engine class must not. */
    static final class Offender {
        Object use() {
            return dev.hearth.lab.Workspace.resolve(null);
        }
    }
}
