import Foundation

/// Pearson's chi-square goodness of fit.
enum ChiSquare {
    /// The statistic and its degrees of freedom for observed counts against expected probabilities
    /// (cells with expected count below `minExpected` are pooled into one; a zero-probability cell with
    /// observations makes the statistic infinite).
    static func statistic(observed: [Int], probabilities: [Double], minExpected: Double = 5) -> (chi2: Double, df: Int) {
        let n = Double(observed.reduce(0, +))
        var chi2 = 0.0, cells = 0
        var pooledObserved = 0.0, pooledExpected = 0.0
        for (o, p) in zip(observed, probabilities) {
            if p == 0 {
                if o > 0 { return (.infinity, 1) }
                continue
            }
            let e = p * n
            if e < minExpected {
                pooledObserved += Double(o)
                pooledExpected += e
                continue
            }
            chi2 += (Double(o) - e) * (Double(o) - e) / e
            cells += 1
        }
        if pooledExpected > 0 {
            chi2 += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected
            cells += 1
        }
        return (chi2, max(1, cells - 1))
    }

    /// Upper-tail p-value of chi-square with `df` degrees of freedom (Wilson–Hilferty normal approximation,
    /// good to a few percent of the p-value at the thresholds used here).
    static func pValue(_ chi2: Double, df: Int) -> Double {
        guard chi2.isFinite else { return 0 }
        let k = Double(df)
        let z = (pow(chi2 / k, 1.0 / 3) - (1 - 2 / (9 * k))) / sqrt(2 / (9 * k))
        return 0.5 * erfc(z / 2.0.squareRoot())
    }
}
