package dev.hearth.engine.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A model folder's weight files, opened (memory-mapped, or decrypted into memory when encrypted at
 * rest) when first asked for, and closed together. Opening late lets a folder whose config.json is
 * refused say so before anything about its weights.
 */
final class WeightFiles implements AutoCloseable {
    private final Supplier<List<Path>> paths;
    private List<SafeTensorsFile> open;

    WeightFiles(Supplier<List<Path>> paths) {
        this.paths = paths;
    }

    /** Every file, in the order the folder lists them. */
    List<SafeTensorsFile> all() {
        if (open == null) {
            List<SafeTensorsFile> opened = new ArrayList<>();
            try {
                for (Path file : paths.get()) {
                    opened.add(SafeTensorsFile.open(file));
                }
            } catch (RuntimeException e) {
                opened.forEach(SafeTensorsFile::close);
                throw e;
            }
            open = opened;
        }
        return open;
    }

    /** The file holding tensor {@code name}, or null. */
    SafeTensorsFile holderOf(String name) {
        for (SafeTensorsFile f : all()) {
            if (f.contains(name)) {
                return f;
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (open != null) {
            open.forEach(SafeTensorsFile::close);
        }
    }
}
