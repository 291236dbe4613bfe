// Loaded with `node --import` into a benchmarked CLI process: prints its peak RSS on exit (stderr),
// so the benchmark measures the real command without any hook in the product.
process.on('exit', () => process.stderr.write(`\npeak-rss-kb=${process.resourceUsage().maxRSS}\n`));
