package dev.hearth.lab.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The encoding pass, writing side: the ids of each document to the shards of its split, followed
 * by the separator, in document order (it runs on the reading thread). In the tail split a
 * document's ids wait in a {@link TokenSpool} until its end, then divide between train and val.
 * A document the tokenizer refuses is skipped and recorded.
 */
final class SplitWriter implements OrderedEncoder.Sink, AutoCloseable {
    private final List<InputState> inputs;
    private final SkipLog skips;
    private final SplitAssigner split;
    private final Integer separator;
    private final ShardWriter train;
    private final ShardWriter val;
    private final TokenSpool spool;
    long trainDocuments;
    long valDocuments;
    long textBytes;
    List<DatasetManifest.Shard> trainShards = List.of();
    List<DatasetManifest.Shard> valShards = List.of();
    private int failedInput = -1;
    private long failedDocument = -1;
    private boolean midDocument;
    private long documentBytes;

    SplitWriter(Path dir, List<InputState> inputs, SkipLog skips, SplitAssigner split, Integer separator,
            int bytesPerToken, long shardTokens, int vocab) {
        this.inputs = inputs;
        this.skips = skips;
        this.split = split;
        this.separator = separator;
        this.train = new ShardWriter(dir, "train", bytesPerToken, shardTokens, vocab);
        this.val = new ShardWriter(dir, "val", bytesPerToken, shardTokens, vocab);
        this.spool = new TokenSpool(dir.resolve("spool.tmp"));
    }

    @Override
    public void accept(OrderedEncoder.Encoded e) throws IOException {
        OrderedEncoder.Piece p = e.piece();
        if (p.input() == failedInput && p.document() == failedDocument) {
            return;
        }
        InputState state = inputs.get(p.input());
        if (e.error() != null) {
            if (midDocument) {
                throw new DataInputException(state.file.display() + ": the tokenizer cannot encode a piece of the"
                        + " large document " + (p.document() + 1) + ": " + e.error());
            }
            skips.add(state.file.display(), "document " + (p.document() + 1), SkipReason.NOT_ENCODABLE, e.error());
            state.skipped++;
            failedInput = p.input();
            failedDocument = p.document();
            return;
        }
        int[] ids = e.ids();
        documentBytes += p.utf8Bytes();
        midDocument = !p.last();
        if (split.mode() == SplitMode.DOCUMENT) {
            ShardWriter w = p.val() ? val : train;
            w.write(ids, 0, ids.length);
            if (p.last()) {
                endDocument(w);
                if (p.val()) {
                    valDocuments++;
                } else {
                    trainDocuments++;
                }
            }
        } else {
            spool.add(ids);
            if (p.last()) {
                long n = spool.size();
                long k = DocumentHash.tailTrainTokens(n, split.valFraction());
                spool.drain(k, train, val);
                if (k > 0) {
                    endDocument(train);
                    trainDocuments++;
                }
                if (n - k > 0) {
                    endDocument(val);
                    valDocuments++;
                }
            }
        }
        if (p.last()) {
            state.written++;
            textBytes += documentBytes;
            documentBytes = 0;
        }
    }

    private void endDocument(ShardWriter w) throws IOException {
        if (separator != null) {
            w.write(new int[] {separator}, 0, 1);
        }
    }

    long trainTokens() {
        return train.tokens();
    }

    long valTokens() {
        return val.tokens();
    }

    /** Completes the last shards. */
    void finish() throws IOException {
        trainShards = train.finish();
        valShards = val.finish();
    }

    /** Removes the spool and any unfinished shard. */
    @Override
    public void close() throws IOException {
        try (spool; train; val) {
            // closes all three, even when one fails
        }
    }
}
