package dev.hearth.lab.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hearth.engine.HearthException;

/**
 * How a student learns from its teacher, recorded as {@code distillation.json} in the run folder so that an
 * interrupted run resumes with the same teacher and loss.
 *
 * <pre>
 * loss = alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * cross_entropy(student, next token)
 * </pre>
 *
 * @param teacher         the teacher's model folder (absolute once recorded)
 * @param temperature     T, positive: above 1 softens both distributions so the teacher's ranking of wrong tokens shows
 * @param alpha           weight of the soft-target term, in [0, 1]; 0 is plain training on the labels
 * @param initFromTeacher whether the student starts from the teacher's embeddings, norms and every k-th block
 * @param teacherSha256   the teacher's config and weights' digest, filled in when the run starts (null before)
 */
public record DistillationSettings(String teacher, double temperature, double alpha,
                                   @JsonProperty("init_from_teacher") boolean initFromTeacher,
                                   @JsonProperty("teacher_sha256") String teacherSha256) {

    public DistillationSettings {
        if (teacher == null || teacher.isBlank()) {
            throw new HearthException("distillation needs a teacher: the model folder of the model to learn from");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new HearthException("the temperature must be a positive number (1 leaves the teacher's distribution"
                    + " as it is; 2 to 4 are usual), got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new HearthException("alpha, the weight of the teacher's soft targets, must be in [0, 1] (the label"
                    + " loss gets 1 - alpha), got " + alpha);
        }
    }

    DistillationSettings withTeacher(String absolutePath, String sha256) {
        return new DistillationSettings(absolutePath, temperature, alpha, initFromTeacher, sha256);
    }
}
