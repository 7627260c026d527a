package learn

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/cityops/cityops/rules"
)

// CrossValidate splits recs into k folds (record i goes to fold i mod k),
// learns a pack from k-1 of them, writes it under dir, loads it as any pack
// is loaded, and evaluates it on the fold left out. The total sums the k
// evaluations, so every record is judged once by a pack that never saw it;
// folds holds each fold's own report.
func CrossValidate(recs []Record, opt Options, k int, dir string) (total Report, folds []Report, err error) {
	for f := range k {
		var train, test []Record
		for i, r := range recs {
			if i%k == f {
				test = append(test, r)
			} else {
				train = append(train, r)
			}
		}
		l, err := Learn(train, opt)
		if err != nil {
			return total, folds, fmt.Errorf("fold %d: %w", f, err)
		}
		fd := filepath.Join(dir, fmt.Sprintf("fold%d", f))
		if err := l.Write(fd); err != nil {
			return total, folds, fmt.Errorf("fold %d: %w", f, err)
		}
		pack, err := rules.Load(os.DirFS(fd))
		if err != nil {
			return total, folds, fmt.Errorf("fold %d: loading the learned pack: %w", f, err)
		}
		rep, err := Eval(pack, test)
		if err != nil {
			return total, folds, fmt.Errorf("fold %d: %w", f, err)
		}
		total.Add(rep)
		folds = append(folds, rep)
	}
	return total, folds, nil
}
