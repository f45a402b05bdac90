## Knowledge bundles: the knowledge in use, its age, updates.

ev-knowledge-old = pinwatch's knowledge is { $days } days old: past 70 days a pin mismatch alone is not held against a chain (run `pinwatch pins update`)
