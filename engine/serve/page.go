package serve

import "net/http"

// pageRoutes adds the web page's routes.
func (s *Server) pageRoutes(m *http.ServeMux) {}
