package dev.hearth.cli;

import dev.hearth.store.ApiKey;
import dev.hearth.store.CreatedKey;
import dev.hearth.store.RateLimit;
import dev.hearth.store.Role;
import dev.hearth.store.Store;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hearth keys}: API keys. A key is printed once; only its SHA-256 hash is stored. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"API keys for 'hearth serve'. Roles: user calls models; admin manages the registry and keys;",
            "auditor reads the audit log and metrics. A key is shown once; only its SHA-256 hash is stored."},
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {

    @ParentCommand
    Hearth root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose one: create, list, revoke");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key and print it (once).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        KeysCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "user, admin or auditor.")
        String role;

        @Option(names = "--name", paramLabel = "TEXT", description = "What the key is for (shown in keys list).")
        String name;

        @Option(names = "--rate", paramLabel = "N/PERIOD",
                description = "Requests allowed, as a token bucket: 60/min, 10/s, 1000/hour (default: unlimited).")
        String rate;

        @Option(names = "--tokens-per-day", paramLabel = "N",
                description = "Prompt plus generated tokens allowed per UTC day (default: unlimited).")
        Long tokensPerDay;

        @Override
        public Integer call() {
            if (tokensPerDay != null && tokensPerDay <= 0) {
                throw new ParameterException(spec.commandLine(), "--tokens-per-day must be > 0");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Store store = parent.root.openStore()) {
                CreatedKey k = store.keys().create(Role.parse(role), name, rate == null ? null : RateLimit.parse(rate),
                        tokensPerDay);
                out.println(k.secret());
                spec.commandLine().getErr().printf("created %s key %s; store it now: it is not shown again%n",
                        k.key().role().name().toLowerCase(), k.key().id());
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand
        KeysCommand parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Store store = parent.root.openStore()) {
                out.printf("%-14s %-8s %-10s %-14s %-20s %s%n", "id", "role", "rate", "tokens/day", "created", "state");
                for (ApiKey k : store.keys().list()) {
                    out.printf("%-14s %-8s %-10s %-14s %-20s %s%s%n", k.id(), k.role().name().toLowerCase(),
                            k.rate() == null ? "-" : k.rate(), k.tokensPerDay() == null ? "-" : k.tokensPerDay(),
                            k.createdAt().toString().substring(0, 19),
                            k.revoked() ? "revoked " + k.revokedAt() : "active",
                            k.name() == null ? "" : "  (" + k.name() + ")");
                }
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key: it stops working at once.")
    static final class Revoke implements Callable<Integer> {
        @ParentCommand
        KeysCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "The key's id (from keys list).")
        String id;

        @Override
        public Integer call() {
            try (Store store = parent.root.openStore()) {
                ApiKey k = store.keys().revoke(id);
                spec.commandLine().getOut().printf("revoked %s at %s%n", k.id(), k.revokedAt());
            }
            return 0;
        }
    }
}
