package dev.hearth.engine.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Modules held in order and named "0", "1", ... in parameter names, as PyTorch's ModuleList. */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> modules = new ArrayList<>();

    /** Appends {@code module} and returns it. */
    public M add(M module) {
        modules.add(child(Integer.toString(modules.size()), module));
        return module;
    }

    public M get(int i) {
        return modules.get(i);
    }

    public int size() {
        return modules.size();
    }

    public List<M> asList() {
        return Collections.unmodifiableList(modules);
    }
}
