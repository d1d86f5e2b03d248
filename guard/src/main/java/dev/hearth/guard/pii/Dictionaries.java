package dev.hearth.guard.pii;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The word lists PERSON and LOCATION detection rest on, shipped as resources beside this class:
 * English given names (with the ambiguous ones that are also everyday words kept apart), English
 * surnames, place names, Chinese surnames, characters common in Chinese given names, and Chinese
 * place names. Loaded once; immutable.
 */
final class Dictionaries {
    final Set<String> firstNames;
    final Set<String> ambiguousNames;
    final Set<String> surnames;
    /** Place names keyed by their first word (English) or first character (Chinese), longest first. */
    final Map<String, List<String>> places;
    final Set<String> zhSurnames;
    /** Indexed by char: a one-character surname; the first character of a compound surname; a given-name character. */
    final boolean[] zhSurname = new boolean[65536];
    final boolean[] zhCompoundFirst = new boolean[65536];
    final boolean[] zhGiven = new boolean[65536];
    /** Indexed by char: the first character of some place name. */
    final boolean[] placeFirst = new boolean[65536];

    private static volatile Dictionaries instance;

    static Dictionaries get() {
        Dictionaries d = instance;
        if (d == null) {
            synchronized (Dictionaries.class) {
                d = instance;
                if (d == null) {
                    d = new Dictionaries();
                    instance = d;
                }
            }
        }
        return d;
    }

    private Dictionaries() {
        firstNames = words("en-first-names.txt");
        ambiguousNames = words("en-ambiguous-names.txt");
        firstNames.removeAll(ambiguousNames);
        surnames = words("en-surnames.txt");
        places = new HashMap<>();
        for (String line : lines("en-locations.txt")) {
            String first = line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line;
            places.computeIfAbsent(first, k -> new ArrayList<>()).add(line);
        }
        for (String place : words("zh-locations.txt")) {
            places.computeIfAbsent(place.substring(0, 1), k -> new ArrayList<>()).add(place);
        }
        places.values().forEach(l -> l.sort(Comparator.comparingInt(String::length).reversed()));
        zhSurnames = words("zh-surnames.txt");
        for (String w : zhSurnames) {
            (w.length() == 1 ? zhSurname : zhCompoundFirst)[w.charAt(0)] = true;
        }
        for (String w : words("zh-given-chars.txt")) {
            w.chars().forEach(c -> zhGiven[c] = true);
        }
        for (String p : places.keySet()) {
            placeFirst[p.charAt(0)] = true;
        }
    }

    static Set<String> words(String resource) {
        Set<String> out = new HashSet<>();
        for (String line : lines(resource)) {
            for (String w : line.split("\\s+")) {
                if (!w.isEmpty()) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    static List<String> lines(String resource) {
        InputStream in = Dictionaries.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("the word list " + resource + " is missing from the guard jar");
        }
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    out.add(t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
