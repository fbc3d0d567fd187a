package executive

import (
	"os"

	"goais/client/cfg"
)

type reportT = cfg.LoadReport

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }
