package dev.hearth.serve;

import dev.hearth.engine.io.ModelFolder;
import dev.hearth.store.ModelVersion;

/** One registered model version, loaded, with its chat template and its own batch scheduler. */
public record ServedModel(ModelVersion version, ModelFolder.Loaded loaded, ChatTemplate chatTemplate,
                          BatchScheduler scheduler) {

    /** {@code name:version}, the id the API reports. */
    public String id() {
        return version.ref();
    }
}
