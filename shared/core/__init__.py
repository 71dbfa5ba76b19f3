"""The queue core: tickets and events, the contract, LocalQueue's transactions, numbering, the day change, group commit, snapshots."""
