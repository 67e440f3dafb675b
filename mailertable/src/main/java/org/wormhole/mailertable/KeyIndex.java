package org.wormhole.mailertable;

import java.util.Collection;

/**
 * An open-addressing hash table from lower-case keys to entries that is probed with a region
 * of a string, so a lookup of {@code .c.d} inside {@code a.b.c.d} creates no substring.
 * Immutable after construction; safe to read from any thread.
 */
final class KeyIndex {

    private final String[] keys;
    private final int[] hashes;
    private final Entry[] entries;
    private final int mask;

    KeyIndex(Collection<Entry> all) {
        int capacity = Integer.highestOneBit(Math.max(4, all.size() * 2 - 1)) << 1;
        keys = new String[capacity];
        hashes = new int[capacity];
        entries = new Entry[capacity];
        mask = capacity - 1;
        for (Entry e : all) {
            int h = e.key().hashCode();
            int i = spread(h) & mask;
            while (keys[i] != null) {
                if (keys[i].equals(e.key())) {
                    throw new IllegalArgumentException("duplicate key " + e.key());
                }
                i = (i + 1) & mask;
            }
            keys[i] = e.key();
            hashes[i] = h;
            entries[i] = e;
        }
    }

    /** The entry whose key equals {@code s[from, to)}, or null. {@code s} must be lower case. */
    Entry get(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        int len = to - from;
        int i = spread(h) & mask;
        String k;
        while ((k = keys[i]) != null) {
            if (hashes[i] == h && k.length() == len && k.regionMatches(0, s, from, len)) {
                return entries[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
