package trdetr.model;

/**
 * Corrections of official bugs (spec §8). The official behaviour is the default, so official checkpoints give official
 * outputs; each fix is opt-in (command line: {@code --fix t2v-mask,mr2hd-slice}).
 */
public enum Fix {
    /**
     * Q1: the T2V "both padded" mask is tiled with repeat(h,1,1) but read as n = b·h + η, so each sample is masked with
     * other samples' patterns and its output depends on the batch. Fixed: each sample uses its own pattern.
     */
    T2V_MASK("t2v-mask"),
    /**
     * MR2HD converts the chosen span to clip indices and slices V0 with Python semantics: a negative start wraps around
     * to the end (usually giving an empty slice). Fixed: the start is clamped to 0.
     */
    MR2HD_SLICE("mr2hd-slice");

    private final String option;

    Fix(String option) { this.option = option; }

    public String option() { return option; }

    public static Fix parse(String s) {
        for (Fix f : values()) if (f.option.equals(s)) return f;
        throw new IllegalArgumentException("unknown fix '" + s + "' (known: t2v-mask, mr2hd-slice)");
    }
}
