package trdetr.train;

/** torch.optim.lr_scheduler.StepLR stepped once per epoch: lr = base · γ^⌊epoch / step⌋. */
public record StepLR(double baseLr, int stepSize, double gamma) {
    public double lrAt(int epoch) { return baseLr * Math.pow(gamma, Math.floorDiv(epoch, stepSize)); }
}
