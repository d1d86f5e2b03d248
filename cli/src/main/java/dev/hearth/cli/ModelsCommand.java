package dev.hearth.cli;

import dev.hearth.store.ModelRegistry;
import dev.hearth.store.ModelVersion;
import dev.hearth.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth models}: the model registry. Versions are immutable; aliases move. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"The model registry: register a model folder as a new immutable version, list versions,",
            "point an alias (champion, canary, ...) at a version, roll the champion back."},
        subcommands = {ModelsCommand.Register.class, ModelsCommand.ListVersions.class, ModelsCommand.Alias.class,
            ModelsCommand.Rollback.class})
final class ModelsCommand implements Runnable {

    @ParentCommand
    Hearth root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose one: register, list, alias, rollback");
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Copy a model folder into the workspace as the next version of NAME (hashing every file).")
    static final class Register implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "DIR", description = "A model folder (config.json, model.safetensors, tokenizer.json).")
        Path dir;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Registry name, e.g. support-bot.")
        String name;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Store store = parent.root.openStore()) {
                ModelVersion v = store.registry().register(name, dir, parent.root.workspace().models());
                Map<String, Integer> aliases = store.registry().aliases(name);
                out.printf(Locale.ROOT, "registered %s (%d files, %.1f MB, sha256 %s)%n", v.ref(), v.files().size(),
                        v.bytes() / 1e6, v.sha256());
                out.printf("   stored in %s%n", v.dir());
                out.printf("   aliases of %s: %s%n", name, aliases);
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List registered models, versions and aliases.")
    static final class ListVersions implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", arity = "0..1", description = "Only this model.")
        String name;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Store store = parent.root.openStore()) {
                ModelRegistry r = store.registry();
                List<String> names = name == null ? r.names() : List.of(name);
                if (names.isEmpty()) {
                    out.println("no models registered yet: hearth models register DIR --name NAME");
                }
                for (String n : names) {
                    Map<Integer, String> byVersion = r.aliases(n).entrySet().stream().collect(Collectors.groupingBy(
                            Map.Entry::getValue, Collectors.mapping(Map.Entry::getKey, Collectors.joining(", "))));
                    List<ModelVersion> versions = r.versions(n);
                    if (versions.isEmpty()) {
                        throw new dev.hearth.store.StoreException("no model named \"" + n + "\" is registered; known: "
                                + r.names());
                    }
                    out.println(n);
                    for (ModelVersion v : versions) {
                        String a = byVersion.get(v.version());
                        out.printf(Locale.ROOT, "   %-4d %-20s %8.1f MB  %s  sha256 %s%s%n", v.version(),
                                v.createdAt().toString().substring(0, 19), v.bytes() / 1e6, v.source(),
                                v.sha256().substring(0, 16), a == null ? "" : "  [" + a + "]");
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "alias", mixinStandardHelpOptions = true,
            description = "Point ALIAS of NAME at VERSION (e.g. 'hearth models alias bot 3 champion').")
    static final class Alias implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "VERSION")
        int version;

        @Parameters(index = "2", paramLabel = "ALIAS")
        String alias;

        @Override
        public Integer call() {
            try (Store store = parent.root.openStore()) {
                store.registry().setAlias(name, alias, version);
                spec.commandLine().getOut().printf("%s@%s -> %s:%d%n", name, alias, name, version);
            }
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Move the champion of NAME back to the version it pointed to before its last move.")
    static final class Rollback implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (Store store = parent.root.openStore()) {
                ModelVersion v = store.registry().rollback(name);
                spec.commandLine().getOut().printf("%s@%s -> %s%n", name, ModelRegistry.CHAMPION, v.ref());
            }
            return 0;
        }
    }
}
