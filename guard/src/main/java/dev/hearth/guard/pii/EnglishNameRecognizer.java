package dev.hearth.guard.pii;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Names, places and written dates in English text, from one pass over its capitalised words.
 *
 * <ul>
 *   <li>PERSON: a title (Mr, Dr, ...) followed by capitalised words; a known given name followed by
 *       capitalised words or initials (higher when the last is a known surname); a lone known
 *       given name. Given names that are also everyday words (May, Will, Grace) need a surname.
 *   <li>LOCATION: place names from the gazetteer (longest match, several words allowed), and street
 *       addresses (a house number, capitalised words, a street word such as Street or Ave).
 *   <li>DATE_TIME: month names with a day and/or year ("March 5, 2024", "5 Mar 2024").
 * </ul>
 */
final class EnglishNameRecognizer implements Recognizer {
    private static final Set<String> TITLES = Set.of("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor",
            "Sir", "Dame", "Lady", "Lord", "Madam", "Rev", "Capt", "Sgt");
    private static final Set<String> STREET_WORDS = Set.of("Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard",
            "Blvd", "Lane", "Ln", "Drive", "Dr", "Court", "Ct", "Way", "Place", "Pl", "Square", "Sq", "Terrace",
            "Highway", "Hwy", "Parkway", "Close", "Crescent", "Gardens");
    private static final Map<String, Integer> MONTHS = months();

    private final Dictionaries dict = Dictionaries.get();

    // What a capitalised word may be, as bits: one lookup per word instead of one per list.
    private static final int MONTH = 1;
    private static final int TITLE = 2;
    private static final int PLACE = 4;       // begins a place name
    private static final int FIRST = 8;       // a given name
    private static final int AMBIGUOUS = 16;  // a given name that is also an everyday word
    private static final int SURNAME = 32;
    private static final int STOPWORD = 64;
    private static final int STREET = 128;

    private static Map<String, Integer> kinds(Dictionaries d) {
        Map<String, Integer> k = new java.util.HashMap<>();
        MONTHS.keySet().forEach(w -> k.merge(w, MONTH, (a, b) -> a | b));
        TITLES.forEach(w -> k.merge(w, TITLE, (a, b) -> a | b));
        d.places.keySet().forEach(w -> k.merge(w, PLACE, (a, b) -> a | b));
        d.firstNames.forEach(w -> k.merge(w, FIRST, (a, b) -> a | b));
        d.ambiguousNames.forEach(w -> k.merge(w, AMBIGUOUS, (a, b) -> a | b));
        d.surnames.forEach(w -> k.merge(w, SURNAME, (a, b) -> a | b));
        STOP.forEach(w -> k.merge(w, STOPWORD, (a, b) -> a | b));
        STREET_WORDS.forEach(w -> k.merge(w, STREET, (a, b) -> a | b));
        return Map.copyOf(k);
    }

    private static int kind(String word) {
        Integer k = KINDS.get(word);
        return k == null ? 0 : k;
    }

    @Override
    public Set<EntityType> types() {
        return EnumSet.of(EntityType.PERSON, EntityType.LOCATION, EntityType.DATE_TIME);
    }

    private static Map<String, Integer> months() {
        String[] full = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December"};
        Map<String, Integer> m = new java.util.HashMap<>();
        for (int k = 0; k < 12; k++) {
            m.put(full[k], k + 1);
            m.put(full[k].substring(0, 3), k + 1);
        }
        m.put("Sept", 9);
        return Map.copyOf(m);
    }

    /** The end of the word starting at {@code i}: letters, with inner apostrophes and hyphens. */
    private static int wordEnd(String s, int i) {
        int n = s.length();
        int j = i;
        while (j < n) {
            char c = s.charAt(j);
            if (Chars.asciiLetter(c) || c >= 0xC0 && c < 0x250 && Character.isLetter(c)) {
                j++;
            } else if ((c == '\'' || c == '-' || c == '\u2019') && j + 1 < n && Chars.asciiLetter(s.charAt(j + 1)) && j > i) {
                j++;
            } else {
                break;
            }
        }
        return j;
    }

    /** A capitalised word (or an initial "J.") starting at {@code i}: its end, or -1. */
    private static int capitalisedAt(String s, int i) {
        if (i >= s.length() || !Chars.upper(s.charAt(i)) || !Chars.boundaryBefore(s, i)) {
            return -1;
        }
        int j = wordEnd(s, i);
        if (j - i == 1) {
            return j < s.length() && s.charAt(j) == '.' ? j + 1 : -1; // an initial
        }
        return Chars.lower(s.charAt(i + 1)) || s.charAt(i + 1) == '\'' ? j : -1;
    }

    @Override
    public void scan(String s, List<Finding> out) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (Chars.digit(c) && Chars.boundaryBefore(s, i)) {
                int e = streetAddress(s, i);
                if (e > 0) {
                    out.add(new Finding(EntityType.LOCATION, i, e, 0.85, "pattern (street address)"));
                    i = e;
                    continue;
                }
            }
            int j = Chars.upper(c) ? capitalisedAt(s, i) : -1;
            if (j < 0) {
                i++;
                continue;
            }
            String word = s.substring(i, s.charAt(j - 1) == '.' ? j - 1 : j);
            int kind = kind(word);
            if ((kind & MONTH) != 0) {
                int e = dateAround(s, i, j, out);
                if (e > 0) {
                    i = e;
                    continue;
                }
            }
            if ((kind & TITLE) != 0) {
                int k = j < n && s.charAt(j) == '.' ? j + 1 : j;
                int e = followingNames(s, k, 3);
                if (e > 0) {
                    out.add(new Finding(EntityType.PERSON, skipSpace(s, k), e, 0.85, "title + capitalised name"));
                    i = e;
                    continue;
                }
            }
            int place = (kind & PLACE) != 0 ? placeAt(s, i, word) : -1;
            boolean first = (kind & FIRST) != 0 && (kind & AMBIGUOUS) == 0;
            boolean ambiguous = (kind & AMBIGUOUS) != 0 || word.length() == 1;
            if (first || ambiguous || (word.length() <= 2 && s.charAt(j - 1) == '.')) {
                int e = followingNames(s, j, 2);
                if (e > 0) {
                    String last = lastWord(s, e);
                    boolean knownSurname = (kind(last) & SURNAME) != 0;
                    double score = first ? (knownSurname ? 0.9 : 0.8) : knownSurname ? 0.75 : 0.45;
                    out.add(new Finding(EntityType.PERSON, i, e, score,
                            first ? "dictionary (given name) + capitalised name" : "capitalised name + known surname"));
                    i = e;
                    continue;
                }
                if (first) {
                    out.add(new Finding(EntityType.PERSON, i, j, place > 0 ? 0.45 : 0.6, "dictionary (given name)"));
                }
            } else if (place < 0 && (kind & (STOPWORD | TITLE)) == 0) {
                int e = followingNames(s, j, 2);
                int next = kind(nextWord(s, j));
                if (e > 0 && (next & (FIRST | TITLE)) != 0 && (next & SURNAME) == 0) {
                    e = -1; // "I'm Sarah Connor", "Yesterday Dr Lee": the name starts at the next word
                }
                if (e > 0) {
                    boolean knownSurname = (kind(lastWord(s, e)) & SURNAME) != 0;
                    out.add(new Finding(EntityType.PERSON, i, e, knownSurname ? 0.45 : 0.4,
                            knownSurname ? "capitalised name + known surname" : "capitalised words"));
                    i = e;
                    continue;
                }
                if ((kind & SURNAME) != 0) {
                    out.add(new Finding(EntityType.PERSON, i, j, 0.35, "dictionary (surname)"));
                } else if (GREETINGS.contains(wordBefore(s, i))) {
                    out.add(new Finding(EntityType.PERSON, i, j, 0.6, "capitalised word after a greeting"));
                } else if (PLACE_PREPOSITIONS.contains(wordBefore(s, i)) && (kind & AMBIGUOUS) == 0) {
                    out.add(new Finding(EntityType.LOCATION, i, j, 0.4, "capitalised word after a preposition"));
                }
            }
            if (place > 0) {
                out.add(new Finding(EntityType.LOCATION, i, place, 0.7, "dictionary (place)"));
                i = place;
                continue;
            }
            i = j;
        }
    }

    private static int skipSpace(String s, int k) {
        while (k < s.length() && s.charAt(k) == ' ') {
            k++;
        }
        return k;
    }

    /** The word after the space at {@code k}, or "". */
    private static String nextWord(String s, int k) {
        if (k + 1 >= s.length() || s.charAt(k) != ' ') {
            return "";
        }
        int e = wordEnd(s, k + 1);
        return s.substring(k + 1, e);
    }

    private static String lastWord(String s, int end) {
        int a = end;
        while (a > 0 && (Chars.asciiLetter(s.charAt(a - 1)) || s.charAt(a - 1) == '\'' || s.charAt(a - 1) == '-')) {
            a--;
        }
        return s.substring(a, end);
    }

    /** Up to {@code max} capitalised words after {@code k} (one space apart): the end of the last, or -1. */
    private int followingNames(String s, int k, int max) {
        int end = -1;
        int p = k;
        for (int w = 0; w < max; w++) {
            if (p >= s.length() || s.charAt(p) != ' ') {
                break;
            }
            int e = capitalisedAt(s, p + 1);
            if (e < 0) {
                break;
            }
            String word = s.substring(p + 1, s.charAt(e - 1) == '.' ? e - 1 : e);
            int kind = kind(word);
            if ((kind & (TITLE | MONTH | STREET | STOPWORD)) != 0 || (kind & PLACE) != 0 && (kind & SURNAME) == 0) {
                break;
            }
            end = e;
            p = e;
        }
        return end;
    }

    private static final Set<String> GREETINGS = Set.of("Hi", "Hello", "Dear", "Hey", "Thanks", "Sincerely", "Regards");
    private static final Set<String> PLACE_PREPOSITIONS = Set.of("in", "from", "to", "near", "at", "via");

    /** The word just before {@code i} (one space apart), or "". */
    private static String wordBefore(String s, int i) {
        int e = i - 1;
        if (e < 1 || s.charAt(e) != ' ') {
            return "";
        }
        int a = e;
        while (a > 0 && Chars.asciiLetter(s.charAt(a - 1))) {
            a--;
        }
        return s.substring(a, e);
    }

    /** Capitalised words that begin sentences or name things, never a surname. */
    private static final Set<String> STOP = Set.of("The", "A", "An", "And", "Or", "But", "If", "In", "On", "At",
            "I'm", "I'll", "I've", "I'd", "Yes", "No", "Yesterday", "Today", "Tomorrow", "Thank", "Sorry", "Sure",
            "To", "From", "For", "With", "Of", "By", "I", "We", "You", "He", "She", "They", "It", "This", "That",
            "Is", "Was", "Are", "Inc", "Ltd", "LLC", "Corp", "Company", "University", "Hospital", "Bank", "Street",
            "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Please", "Thanks", "Hi",
            "Hello", "Dear", "Hey", "Call", "Email", "Regards", "Sincerely", "English", "Chinese", "French", "Spanish",
            "German", "Japanese", "Customer", "Client", "Patient", "Employee", "User", "Member", "Student", "Tenant",
            "Applicant", "Guest", "Driver", "Manager", "Director", "Officer", "Agent", "Nurse", "Doctor", "Author", "Q1", "Q2", "Q3", "Q4", "Room", "Floor", "Building", "Version", "Order", "Install", "Phone", "Contact", "Send", "Visit", "Born", "Lives", "Card", "Account");

    /** The end of the longest place name starting at {@code i}, or -1. */
    private int placeAt(String s, int i, String word) {
        List<String> candidates = dict.places.get(word);
        if (candidates == null) {
            return -1;
        }
        for (String p : candidates) {
            if (s.startsWith(p, i) && Chars.boundaryAfter(s, i + p.length())) {
                return i + p.length();
            }
        }
        return -1;
    }

    /** "221B Baker Street", "1600 Pennsylvania Ave." starting at a house number: its end, or -1. */
    private int streetAddress(String s, int i) {
        int n = s.length();
        int j = i;
        while (j < n && Chars.digit(s.charAt(j)) && j - i < 6) {
            j++;
        }
        if (j < n && Chars.upper(s.charAt(j)) && (j + 1 >= n || s.charAt(j + 1) == ' ')) {
            j++; // 221B
        }
        int p = j;
        for (int w = 0; w < 4; w++) {
            if (p >= n || s.charAt(p) != ' ') {
                return -1;
            }
            int e = capitalisedAt(s, p + 1);
            if (e < 0) {
                return -1;
            }
            String word = s.substring(p + 1, s.charAt(e - 1) == '.' ? e - 1 : e);
            if (w > 0 && (kind(word) & STREET) != 0) {
                return e < n && s.charAt(e) == '.' && !(e + 1 >= n || s.charAt(e + 1) == '\n') ? e + 1 : e;
            }
            p = e;
        }
        return -1;
    }

    /** A date around the month name {@code [i, j)}: "March 5, 2024", "5 March 2024", "March 2024". */
    private static int dateAround(String s, int i, int j, List<Finding> out) {
        int n = s.length();
        int start = i;
        boolean day = false;
        boolean year = false;
        // "5 March", "5th of March"
        int b = i - 1;
        if (b > 0 && s.charAt(b) == ' ') {
            int k = b;
            if (k >= 3 && s.startsWith("of ", k - 2)) {
                k -= 3;
            }
            int e = k;
            if (e >= 2 && Chars.asciiLetter(s.charAt(e - 1)) && Chars.asciiLetter(s.charAt(e - 2))) {
                e -= 2; // 5th, 1st, 22nd
            }
            int a = e;
            while (a > 0 && Chars.digit(s.charAt(a - 1)) && e - a < 2) {
                a--;
            }
            if (a < e && Chars.boundaryBefore(s, a) && Integer.parseInt(s.substring(a, e)) >= 1
                    && Integer.parseInt(s.substring(a, e)) <= 31) {
                start = a;
                day = true;
            }
        }
        int end = j;
        int p = j;
        if (p < n && s.charAt(p) == '.') {
            p++;
        }
        if (!day && p + 1 < n && s.charAt(p) == ' ' && Chars.digit(s.charAt(p + 1))) {
            int a = p + 1;
            int e = a;
            while (e < n && Chars.digit(s.charAt(e)) && e - a < 4) {
                e++;
            }
            if (e - a <= 2 && Integer.parseInt(s.substring(a, e)) >= 1 && Integer.parseInt(s.substring(a, e)) <= 31) {
                int after = e;
                if (after + 1 < n && Chars.asciiLetter(s.charAt(after)) && Chars.asciiLetter(s.charAt(after + 1))
                        && Chars.boundaryAfter(s, after + 2)) {
                    after += 2; // 5th
                }
                if (Chars.boundaryAfter(s, after)) {
                    day = true;
                    end = after;
                    p = after;
                }
            } else if (e - a == 4 && Chars.boundaryAfter(s, e)) {
                year = true;
                end = e;
            }
        }
        if (!year) {
            int q = p;
            if (q < n && s.charAt(q) == ',') {
                q++;
            }
            if (q + 4 < n + 0 && q < n && s.charAt(q) == ' ' && q + 5 <= n) {
                String y = s.substring(q + 1, q + 5);
                if (y.chars().allMatch(Character::isDigit) && Chars.boundaryAfter(s, q + 5)
                        && (y.startsWith("19") || y.startsWith("20"))) {
                    year = true;
                    end = q + 5;
                }
            }
        }
        if (!day && !year) {
            return -1;
        }
        out.add(new Finding(EntityType.DATE_TIME, start, end, day && year ? 0.9 : 0.75, "pattern (written date)"));
        return end;
    }

    /** Built after every word list above it. */
    private static final Map<String, Integer> KINDS = kinds(Dictionaries.get());
}
