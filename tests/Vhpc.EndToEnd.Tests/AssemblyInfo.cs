// Each end-to-end class boots its own 1 + 3 cluster under TCG; two at once on the 2-core machine
// would only slow both past their timeouts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
