//! Which neurons exist and which connect (section 1): layers and the blocks between them.
//!
//! A topology is a list of layers (groups of neurons with a [`Role`]) and a list of
//! directed connections between layers. Each connection becomes one dense weight block
//! in the [`Network`](crate::network::Network); absent blocks take no memory. A
//! connection from a layer to itself is *lateral*: all-to-all without self connections.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

/// What a layer's neurons are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Visible neurons that carry the data (image pixels).
    Input,
    /// Visible neurons that carry the answer (labels).
    Output,
    /// Hidden neurons: never clamped by data, eligible for fake targets.
    Hidden,
}

/// A group of neurons with consecutive global indices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    /// A name for plots and error messages.
    pub name: String,
    /// Number of neurons.
    pub size: usize,
    /// What the neurons are for.
    pub role: Role,
    /// Global index of the first neuron.
    pub offset: usize,
}

impl Layer {
    /// Global indices of this layer's neurons.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.size
    }
}

/// A directed connection: weights `W_ij` from every neuron j of `pre` to every neuron i
/// of `post` (`post == pre`: lateral, no self connections).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// Receiving layer.
    pub post: usize,
    /// Sending layer.
    pub pre: usize,
}

impl Connection {
    /// A layer connected to itself.
    pub fn is_lateral(&self) -> bool {
        self.post == self.pre
    }
}

/// Layers and connections of a network. Deserialising builds it again with
/// [`Topology::new`], so a checkpoint cannot hold one with overlapping layers or unknown
/// connections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TopologyData")]
pub struct Topology {
    layers: Vec<Layer>,
    connections: Vec<Connection>,
}

/// The serialised form of a [`Topology`], checked on the way in.
#[derive(Deserialize)]
struct TopologyData {
    layers: Vec<Layer>,
    connections: Vec<Connection>,
}

impl TryFrom<TopologyData> for Topology {
    type Error = ConfigError;
    fn try_from(d: TopologyData) -> Result<Self, ConfigError> {
        let layers: Vec<(&str, usize, Role)> = d.layers.iter().map(|l| (l.name.as_str(), l.size, l.role)).collect();
        let connections: Vec<(usize, usize)> = d.connections.iter().map(|c| (c.post, c.pre)).collect();
        let t = Topology::new(&layers, &connections)?;
        if t.layers != d.layers {
            return Err(ConfigError::Topology("layer offsets do not follow from the layer sizes".into()));
        }
        Ok(t)
    }
}

impl Topology {
    /// Builds a topology from `(name, size, role)` layers and `(post, pre)` layer index
    /// pairs. Fails on empty layers, unknown layer indices or repeated connections.
    pub fn new(layers: &[(&str, usize, Role)], connections: &[(usize, usize)]) -> Result<Self, ConfigError> {
        if layers.is_empty() {
            return Err(ConfigError::Topology("no layers".into()));
        }
        let mut offset = 0;
        let mut out = Vec::with_capacity(layers.len());
        for &(name, size, role) in layers {
            if size == 0 {
                return Err(ConfigError::Topology(format!("layer `{name}` has no neurons")));
            }
            out.push(Layer { name: name.to_string(), size, role, offset });
            offset = offset
                .checked_add(size)
                .ok_or_else(|| ConfigError::Topology(format!("layer `{name}`: {size} neurons overflow the count")))?;
        }
        let mut conns: Vec<Connection> = Vec::with_capacity(connections.len());
        for &(post, pre) in connections {
            if post >= out.len() || pre >= out.len() {
                return Err(ConfigError::Topology(format!(
                    "connection ({post} <- {pre}) names a layer that does not exist ({} layers)",
                    out.len()
                )));
            }
            if conns.iter().any(|c| c.post == post && c.pre == pre) {
                return Err(ConfigError::Topology(format!("connection ({post} <- {pre}) given twice")));
            }
            if post == pre && out[post].size < 2 {
                return Err(ConfigError::Topology(format!(
                    "lateral connection on layer `{}` of one neuron",
                    out[post].name
                )));
            }
            conns.push(Connection { post, pre });
        }
        // every weight block with its momentum, its average and the rule's buffer
        let weights: u128 = conns.iter().map(|c| out[c.post].size as u128 * out[c.pre].size as u128).sum();
        crate::config::fits_in_memory(
            || format!("the weights of a net of {offset} neurons (layer sizes)"),
            16 * weights,
        )?;
        Ok(Topology { layers: out, connections: conns })
    }

    /// The paper's MNIST net "784-512-10": input and output both connect to and from
    /// every hidden neuron, input and output are not connected to each other, hidden
    /// neurons are connected laterally when `lateral`.
    /// Layers: 0 = input, 1 = output, 2 = hidden.
    pub fn hopfield(inputs: usize, hidden: usize, outputs: usize, lateral: bool) -> Result<Self, ConfigError> {
        let mut conns = vec![(2, 0), (2, 1), (0, 2), (1, 2)];
        if lateral {
            conns.push((2, 2));
        }
        Topology::new(
            &[("input", inputs, Role::Input), ("output", outputs, Role::Output), ("hidden", hidden, Role::Hidden)],
            &conns,
        )
    }

    /// A layered net `input - hidden[0] - ... - output`, each layer connected to its
    /// neighbours in both directions, hidden layers laterally when `lateral`.
    /// Layers: 0 = input, 1 = output, 2.. = hidden in order.
    pub fn layered(inputs: usize, hidden: &[usize], outputs: usize, lateral: bool) -> Result<Self, ConfigError> {
        if hidden.is_empty() {
            return Err(ConfigError::Topology("a layered net needs at least one hidden layer".into()));
        }
        if hidden.len() == 1 {
            return Topology::hopfield(inputs, hidden[0], outputs, lateral);
        }
        let names: Vec<String> = (0..hidden.len()).map(|i| format!("hidden{}", i + 1)).collect();
        let mut layers = vec![("input", inputs, Role::Input), ("output", outputs, Role::Output)];
        for (name, &h) in names.iter().zip(hidden) {
            layers.push((name.as_str(), h, Role::Hidden));
        }
        // chain: input(0) - 2 - 3 - ... - output(1)
        let chain: Vec<usize> = std::iter::once(0).chain(2..2 + hidden.len()).chain(std::iter::once(1)).collect();
        let mut conns = Vec::new();
        for w in chain.windows(2) {
            conns.push((w[1], w[0]));
            conns.push((w[0], w[1]));
        }
        if lateral {
            for l in 2..2 + hidden.len() {
                conns.push((l, l));
            }
        }
        Topology::new(&layers, &conns)
    }

    /// Toy net: `visible` neurons (one input layer) connected both ways to `hidden`
    /// neurons, hidden lateral. Layers: 0 = visible, 1 = hidden.
    pub fn toy(visible: usize, hidden: usize) -> Result<Self, ConfigError> {
        Topology::new(&[("visible", visible, Role::Input), ("hidden", hidden, Role::Hidden)], &[(1, 0), (0, 1), (1, 1)])
    }

    /// The layers in order.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The connections in order (one weight block each).
    pub fn connections(&self) -> &[Connection] {
        &self.connections
    }

    /// Total number of neurons N.
    pub fn n_neurons(&self) -> usize {
        self.layers.last().map_or(0, |l| l.offset + l.size)
    }

    /// The first layer with the given role.
    pub fn layer_with_role(&self, role: Role) -> Option<usize> {
        self.layers.iter().position(|l| l.role == role)
    }

    /// The layer that holds global neuron `i`.
    pub fn layer_of(&self, i: usize) -> Option<usize> {
        self.layers.iter().position(|l| l.range().contains(&i))
    }

    /// Number of weights in all blocks.
    pub fn n_weights(&self) -> usize {
        self.connections.iter().map(|c| self.layers[c.post].size * self.layers[c.pre].size).sum()
    }

    /// Fan-in of each layer's neurons (self connection excluded).
    pub fn fan_in(&self, layer: usize) -> usize {
        self.connections
            .iter()
            .filter(|c| c.post == layer)
            .map(|c| self.layers[c.pre].size - usize::from(c.is_lateral()))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hopfield_shape() {
        let t = Topology::hopfield(784, 512, 10, true).unwrap();
        assert_eq!(t.n_neurons(), 1306);
        assert_eq!(t.fan_in(2), 784 + 10 + 511);
        assert_eq!(t.fan_in(0), 512);
        assert_eq!(t.n_weights(), 2 * 512 * 794 + 512 * 512);
        assert_eq!(t.layer_of(790), Some(1));
    }

    #[test]
    fn layered_chain() {
        let t = Topology::layered(784, &[512, 512], 10, false).unwrap();
        let c: Vec<(usize, usize)> = t.connections().iter().map(|c| (c.post, c.pre)).collect();
        assert_eq!(c, vec![(2, 0), (0, 2), (3, 2), (2, 3), (1, 3), (3, 1)]);
    }

    #[test]
    fn rejects_bad_topologies() {
        assert!(matches!(Topology::new(&[], &[]), Err(ConfigError::Topology(_))));
        assert!(matches!(Topology::new(&[("a", 0, Role::Input)], &[]), Err(ConfigError::Topology(_))));
        assert!(matches!(Topology::new(&[("a", 2, Role::Input)], &[(0, 1)]), Err(ConfigError::Topology(_))));
        assert!(matches!(Topology::new(&[("a", 2, Role::Input)], &[(0, 0), (0, 0)]), Err(ConfigError::Topology(_))));
    }
}
