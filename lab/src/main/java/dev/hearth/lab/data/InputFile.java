package dev.hearth.lab.data;

import java.nio.file.Path;

/**
 * One file to read.
 *
 * @param path absolute and normalized
 * @param key the path relative to the input it was found in, with '/' separators (the file name
 *     for a file given directly): what the split hash uses, so that a document's split does not
 *     depend on where the corpus lies or on other files
 * @param format how to read it
 * @param gzip whether it is gzip-compressed
 * @param size its size on disk
 */
record InputFile(Path path, String key, InputFormat format, boolean gzip, long size) {
    String display() {
        return path.toString();
    }
}
