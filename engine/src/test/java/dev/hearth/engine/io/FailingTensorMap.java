package dev.hearth.engine.io;

import dev.hearth.engine.tensor.Tensor;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** A map of tensors whose iteration yields one entry and then fails, like a model changing while saved. */
final class FailingTensorMap extends AbstractMap<String, Tensor> {
    @Override
    public Set<Map.Entry<String, Tensor>> entrySet() {
        return new EntrySet();
    }

    private static final class EntrySet extends AbstractSet<Map.Entry<String, Tensor>> {
        @Override
        public Iterator<Map.Entry<String, Tensor>> iterator() {
            return new FailingIterator();
        }

        @Override
        public int size() {
            return 2;
        }
    }

    private static final class FailingIterator implements Iterator<Map.Entry<String, Tensor>> {
        private boolean first = true;

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public Map.Entry<String, Tensor> next() {
            if (first) {
                first = false;
                return Map.entry("a", Tensor.zeros(3));
            }
            throw new IllegalStateException("the model changed while being saved");
        }
    }
}
