// One 1 + 3 cluster under TCG serves every proof of the end-to-end tier; should a second class boot
// another, two at once on the 2-core machine would only slow both past their timeouts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
